-- Documentation of int_continuity_km and its columns.
COMMENT ON TABLE int_continuity_km IS 'Temporary: Kaplan–Meier quantiles of days to first contact per continuity_summary row (computed in Go).';
COMMENT ON COLUMN int_continuity_km.scheme_id IS 'SP scheme, or ALL.';
COMMENT ON COLUMN int_continuity_km.period IS 'Reporting period, or all.';
COMMENT ON COLUMN int_continuity_km.stratum IS 'all, or IMD quintile 1–5.';
COMMENT ON COLUMN int_continuity_km.median_days IS 'First t with S(t) ≤ 0.5; NULL when not reached.';
COMMENT ON COLUMN int_continuity_km.p90_days IS 'First t with S(t) ≤ 0.1; NULL when not reached.';
