-- The GP record's reach gradient (general-practice setting, design §12) with the columns
-- of archetype_signals, which the equity_summary model fills (signals.go).
CREATE OR REPLACE TEMP TABLE sig_gp_reach (
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
