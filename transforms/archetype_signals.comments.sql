-- Documentation of archetype_signals and its columns (design §1, §8).
COMMENT ON TABLE archetype_signals IS 'The framework''s signals: one row per scheme × period × setting × signal, each with a reading.';
COMMENT ON COLUMN archetype_signals.scheme_id IS 'SP scheme, or ALL.';
COMMENT ON COLUMN archetype_signals.period IS 'Reporting period, or all.';
COMMENT ON COLUMN archetype_signals.setting IS 'Framework setting: general_practice, link_workers or vcs, and outcomes (wellbeing change beside them).';
COMMENT ON COLUMN archetype_signals.axis IS 'Framework axis the signal reads.';
COMMENT ON COLUMN archetype_signals.signal IS 'Signal name (docs/indicators.md lists them by setting); general_practice includes the GP record''s sii_gp_referral_rate, gp_coding_completeness and gp_lost_between_sectors (the last two only with gp.linked).';
COMMENT ON COLUMN archetype_signals.value IS 'Signal value, from unrounded data.';
COMMENT ON COLUMN archetype_signals.lower IS 'Lower 95% limit, where one is meaningful.';
COMMENT ON COLUMN archetype_signals.upper IS 'Upper 95% limit, where one is meaningful.';
COMMENT ON COLUMN archetype_signals.reading IS 'Plain-English reading quoting the unsuppressed numbers it rests on and what they cannot show (for researchers inside the secure environment; reports compose their own from inputs under disclosure control).';
COMMENT ON COLUMN archetype_signals.inputs IS 'The structured inputs of the reading, as JSON (package readings): counts of people or events, values and labels.';
