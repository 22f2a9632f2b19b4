-- Records how gp_registered was built, for the next build: $1 model, $2 fingerprint, $3
-- mode (reused, or full: reason), $4 rows built (0 when reused), $5 data_end.
INSERT INTO transform_state (model, fingerprint, mode, rows_rebuilt, built_at, data_end)
VALUES ($1, $2, $3, $4, now()::TIMESTAMP, $5)
