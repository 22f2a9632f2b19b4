-- Records how referral_facts was built, for the next build's plan: $1 model, $2
-- fingerprint, $3 the ingested-file watermark covered, $4–$7 the row counts and checksums
-- now, $8 mode (incremental, or full: reason), $9 referrals recomputed.
INSERT INTO transform_state (model, fingerprint, max_file_id, referrals_n, referrals_sum, attendances_n, attendances_sum,
    mode, rows_rebuilt, built_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now()::TIMESTAMP)
