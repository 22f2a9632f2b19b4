-- One code of a codelist.
-- Parameters: role, code, term, source (the file as configured, or default), category
-- (the NHS ethnic category of a code of role ethnicity; NULL otherwise).
INSERT INTO codelist_codes (role, code, term, source, category) VALUES (?, ?, ?, ?, ?)
