-- Records how gp_referrals was built, for the next build's plan: $1 model, $2
-- fingerprint, $3 the ingested-file watermark it covers, $4–$5 the GP event count and
-- checksum now, $6 mode (incremental, or full: reason), $7 people recomputed, $8 data_end.
INSERT INTO transform_state (model, fingerprint, max_file_id, gp_events_n, gp_events_sum, mode, rows_rebuilt, built_at, data_end)
VALUES ($1, $2, $3, $4, $5, $6, $7, now()::TIMESTAMP, $8)
