-- Documentation of sig_outcomes.
COMMENT ON TABLE sig_outcomes IS 'Temporary: outcome signals (mean change over every pair, and its gradient across deprivation), one row per scheme × period × signal, gathered into archetype_signals.';
