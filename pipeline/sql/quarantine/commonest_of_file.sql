-- A file's commonest reason for quarantine, with its column and count; attendances
-- quarantined because their referral was are not the file's fault.
-- Parameters: file_id, reason (referral_quarantined).
SELECT reason, coalesce("column", ''), count(*) FROM quarantine
WHERE file_id = ? AND reason <> ?
GROUP BY ALL
ORDER BY 3 DESC, 1, 2
LIMIT 1
