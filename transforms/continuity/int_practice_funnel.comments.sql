-- Documentation of int_practice_funnel and its columns.
COMMENT ON TABLE int_practice_funnel IS 'Temporary: funnel limits per practice_variation row (computed in Go).';
COMMENT ON COLUMN int_practice_funnel.scheme_id IS 'SP scheme, or ALL.';
COMMENT ON COLUMN int_practice_funnel.period IS 'Reporting period, or all.';
COMMENT ON COLUMN int_practice_funnel.practice_code IS 'Practice.';
COMMENT ON COLUMN int_practice_funnel.measure IS 'contacted or referral_rate.';
COMMENT ON COLUMN int_practice_funnel.baseline IS 'Scheme × period average.';
COMMENT ON COLUMN int_practice_funnel.lower95 IS 'Lower 95% limit.';
COMMENT ON COLUMN int_practice_funnel.upper95 IS 'Upper 95% limit.';
COMMENT ON COLUMN int_practice_funnel.lower998 IS 'Lower 99.8% limit.';
COMMENT ON COLUMN int_practice_funnel.upper998 IS 'Upper 99.8% limit.';
COMMENT ON COLUMN int_practice_funnel.outlier IS 'Outside the 99.8% limits.';
COMMENT ON COLUMN int_practice_funnel.significance IS 'PHE significance label, lower case.';
