-- The Wilson 95% limits of each numerator and denominator of the continuity_summary
-- rates, which the Go model of the same name fills (int_continuity_rate_ci.go) and
-- continuity_summary.sql joins to each rate.
CREATE OR REPLACE TEMP TABLE int_continuity_rate_ci (
    num BIGINT,
    den BIGINT,
    lower DOUBLE,
    upper DOUBLE
)
