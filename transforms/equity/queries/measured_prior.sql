-- The last build's counts of who gets measured, one row per scheme × period × dimension ×
-- stratum as agg in int_equity_measured_strata.sql has them, for a nightly build to move
-- (measured.go): read from equity_strata, which this build has yet to replace.
CREATE OR REPLACE TEMP TABLE measured_prior AS
SELECT
    scheme_id, period, dimension, stratum,
    sum(denominator) FILTER (WHERE measure = 'outcome_baselined') AS baselined_den,
    sum(numerator) FILTER (WHERE measure = 'outcome_baselined') AS baselined_num,
    sum(immature) FILTER (WHERE measure = 'outcome_baselined') AS baselined_imm,
    sum(denominator) FILTER (WHERE measure = 'outcome_followed_up') AS followed_den,
    sum(numerator) FILTER (WHERE measure = 'outcome_followed_up') AS followed_num,
    sum(immature) FILTER (WHERE measure = 'outcome_followed_up') AS followed_imm
FROM equity_strata
WHERE measure IN ('outcome_baselined', 'outcome_followed_up')
GROUP BY ALL
