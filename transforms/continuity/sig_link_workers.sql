-- The link-worker setting's signals, with the columns of archetype_signals, which the
-- Go model of the same name fills (link_workers.go).
CREATE OR REPLACE TEMP TABLE sig_link_workers (
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
