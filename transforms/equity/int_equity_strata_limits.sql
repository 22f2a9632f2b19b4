-- The 95% limits of each stratum with a positive denominator, which the Go model of the
-- same name fills (int_equity_strata_limits.go) and equity_strata.sql joins to the counts.
CREATE OR REPLACE TEMP TABLE int_equity_strata_limits (
    scheme_id VARCHAR,
    period VARCHAR,
    dimension VARCHAR,
    stratum VARCHAR,
    measure VARCHAR,
    lower DOUBLE,
    upper DOUBLE
)
