-- One code of a codelist.
-- Parameters: role, code, term, source (the file as configured, or default).
INSERT INTO codelist_codes (role, code, term, source) VALUES (?, ?, ?, ?)
