-- Records how equity_strata was counted, for the next build's plan: $1 model, $2
-- fingerprint, $3 the facts' watermark, $4 mode (incremental or full), and the people
-- whose reach was counted again.
INSERT INTO transform_state (model, fingerprint, max_file_id, mode, rows_rebuilt, built_at)
VALUES ($1, $2, $3, $4, (SELECT count(*) FROM strata_touched_people), now()::TIMESTAMP)
