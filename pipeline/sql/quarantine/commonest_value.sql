-- The commonest value quarantined for a reason in a column of a file (shown only for a
-- column of codes).
-- Parameters: file_id, reason, column.
SELECT value FROM quarantine
WHERE file_id = ? AND reason = ? AND "column" = ? AND value IS NOT NULL
GROUP BY 1
ORDER BY count(*) DESC, 1
LIMIT 1
