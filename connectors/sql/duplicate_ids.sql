-- TEMP TABLE dup_ids (id): the ids that occur more than once in view stg (DuplicateIDsSQL).
-- Filled in: ID, the kind's id column.
CREATE OR REPLACE TEMP TABLE dup_ids AS
SELECT {{.ID}} AS id FROM stg WHERE {{.ID}} IS NOT NULL GROUP BY 1 HAVING count(*) > 1
