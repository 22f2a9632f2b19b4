-- Documentation of sig_general_practice and its columns.
COMMENT ON TABLE sig_general_practice IS 'Temporary: general-practice archetype signals (holistic vs fragmental), one row per scheme × period × signal, gathered into archetype_signals.';
COMMENT ON COLUMN sig_general_practice.scheme_id IS 'SP scheme, or ALL.';
COMMENT ON COLUMN sig_general_practice.period IS 'Reporting period, or all.';
COMMENT ON COLUMN sig_general_practice.setting IS 'Framework setting.';
COMMENT ON COLUMN sig_general_practice.axis IS 'Framework axis.';
COMMENT ON COLUMN sig_general_practice.signal IS 'Signal name.';
COMMENT ON COLUMN sig_general_practice.value IS 'Signal value.';
COMMENT ON COLUMN sig_general_practice.lower IS 'Lower 95% limit, where one is meaningful.';
COMMENT ON COLUMN sig_general_practice.upper IS 'Upper 95% limit, where one is meaningful.';
COMMENT ON COLUMN sig_general_practice.reading IS 'Plain-English reading quoting the unsuppressed numbers it rests on and what they cannot show (for researchers inside the secure environment; reports compose their own under disclosure control).';
COMMENT ON COLUMN sig_general_practice.inputs IS 'The structured inputs of the reading, as JSON (package readings).';
