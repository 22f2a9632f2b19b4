-- Records how int_equity_measured_strata was counted: $1 model, $2 mode (incremental or
-- full), and the referrals counted again on a nightly build.
INSERT INTO transform_state (model, mode, rows_rebuilt, built_at)
VALUES ($1, $2, (SELECT count(*) FROM measured_moved), now()::TIMESTAMP)
