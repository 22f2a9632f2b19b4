-- Session-count distribution: episodes by number of link-worker contacts (top-coded in Go).
SELECT scheme_id, contacts, CAST(episodes AS BIGINT) AS episodes
FROM session_counts
WHERE period = $period
ORDER BY scheme_id, contacts
