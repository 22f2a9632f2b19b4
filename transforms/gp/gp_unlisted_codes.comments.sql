-- Documentation of gp_unlisted_codes and its columns.
COMMENT ON TABLE gp_unlisted_codes IS 'Codes seen in gp_events that are in no codelist (codelist_codes), counted: candidates for a local codelist (design §3.6). Unsuppressed counts, for the analyst.';
COMMENT ON COLUMN gp_unlisted_codes.code IS 'The code as the GP events carry it.';
COMMENT ON COLUMN gp_unlisted_codes.code_system IS 'snomed | read2 | ctv3.';
COMMENT ON COLUMN gp_unlisted_codes.events IS 'GP events carrying the code.';
COMMENT ON COLUMN gp_unlisted_codes.people IS 'Distinct people with an event carrying the code.';
