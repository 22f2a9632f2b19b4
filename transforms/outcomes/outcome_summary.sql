-- The outcome_summary table, which the Go model of the same name fills (outcome_summary.go).
CREATE OR REPLACE TABLE outcome_summary (
    scheme_id VARCHAR,
    period VARCHAR,
    measure VARCHAR,
    pairs BIGINT,
    sii DOUBLE,
    sii_lower DOUBLE,
    sii_upper DOUBLE,
    verdict VARCHAR,
    verdict_reason VARCHAR,
    continuity_difference DOUBLE,
    continuity_difference_lower DOUBLE,
    continuity_difference_upper DOUBLE
)
