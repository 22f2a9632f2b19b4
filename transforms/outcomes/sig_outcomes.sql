-- The outcomes setting's signals, with the columns of archetype_signals, which the Go
-- model of the same name fills (signals.go).
CREATE OR REPLACE TEMP TABLE sig_outcomes (
    scheme_id VARCHAR,
    period VARCHAR,
    setting VARCHAR,
    axis VARCHAR,
    signal VARCHAR,
    value DOUBLE,
    lower DOUBLE,
    upper DOUBLE,
    reading VARCHAR,
    inputs VARCHAR
)
