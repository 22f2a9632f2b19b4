-- The VCS setting's signals, with the columns of archetype_signals, which the
-- equity_summary model fills (signals.go).
CREATE OR REPLACE TEMP TABLE sig_vcs (
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
