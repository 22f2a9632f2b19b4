-- Documentation of int_continuity_caps and its columns.
COMMENT ON TABLE int_continuity_caps IS 'Temporary: k per scheme and ALL for cap heaping, with its source.';
COMMENT ON COLUMN int_continuity_caps.scheme_id IS 'SP scheme, or ALL.';
COMMENT ON COLUMN int_continuity_caps.cap IS 'k: configured session_cap, else the most common count among closed episodes with ≥ 3 contacts.';
COMMENT ON COLUMN int_continuity_caps.cap_source IS 'configured or mode.';
