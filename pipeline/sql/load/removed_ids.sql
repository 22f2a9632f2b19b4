-- The ids of a replace source absent from its newest file: opt-outs, erasures.
-- Filled in: Table (the core table) and ID (its id column).
-- Parameters: source.
CREATE OR REPLACE TEMP TABLE removed_ids AS
SELECT {{.ID}} AS id FROM {{.Table}} t
WHERE t.source = ? AND NOT EXISTS (SELECT 1 FROM stg s WHERE s.{{.ID}} = t.{{.ID}})
