-- Documentation of sig_link_workers and its columns.
COMMENT ON TABLE sig_link_workers IS 'Temporary: link-worker archetype signals (relational vs transactional), one row per scheme × period × signal, gathered into archetype_signals.';
COMMENT ON COLUMN sig_link_workers.scheme_id IS 'SP scheme, or ALL.';
COMMENT ON COLUMN sig_link_workers.period IS 'Reporting period, or all.';
COMMENT ON COLUMN sig_link_workers.setting IS 'Framework setting.';
COMMENT ON COLUMN sig_link_workers.axis IS 'Framework axis.';
COMMENT ON COLUMN sig_link_workers.signal IS 'Signal name.';
COMMENT ON COLUMN sig_link_workers.value IS 'Signal value.';
COMMENT ON COLUMN sig_link_workers.lower IS 'Lower 95% limit, where one is meaningful.';
COMMENT ON COLUMN sig_link_workers.upper IS 'Upper 95% limit, where one is meaningful.';
COMMENT ON COLUMN sig_link_workers.reading IS 'Plain-English reading quoting the unsuppressed numbers it rests on and what they cannot show (for researchers inside the secure environment; reports compose their own under disclosure control).';
COMMENT ON COLUMN sig_link_workers.inputs IS 'The structured inputs of the reading, as JSON (package readings).';
