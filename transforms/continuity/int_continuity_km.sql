-- The Kaplan–Meier quantiles of days to first contact per continuity_summary cell, which
-- the Go model of the same name fills (int_continuity_km.go) and continuity_summary.sql
-- joins in.
CREATE OR REPLACE TEMP TABLE int_continuity_km (
    scheme_id VARCHAR,
    period VARCHAR,
    stratum VARCHAR,
    median_days INTEGER,
    p90_days INTEGER
)
