-- How many ids occur more than once in the staged file (connectors.DuplicateIDsSQL).
SELECT count(*) FROM dup_ids
