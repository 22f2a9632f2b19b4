-- The funnel limits of each practice_variation row with a denominator, which the Go model
-- of the same name fills (int_practice_funnel.go) and practice_variation.sql joins in.
CREATE OR REPLACE TEMP TABLE int_practice_funnel (
    scheme_id VARCHAR,
    period VARCHAR,
    practice_code VARCHAR,
    measure VARCHAR,
    baseline DOUBLE,
    lower95 DOUBLE,
    upper95 DOUBLE,
    lower998 DOUBLE,
    upper998 DOUBLE,
    outlier BOOLEAN,
    significance VARCHAR
)
