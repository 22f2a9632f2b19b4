-- The GP record's linkage signals (general-practice setting, design §12) with the columns
-- of archetype_signals, which the Go model of the same name fills (sig_gp_linkage.go).
CREATE OR REPLACE TEMP TABLE sig_gp_linkage (
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
