-- Codes of the GP events in no codelist (design §3.6), the most used first.
SELECT code, coalesce(code_system, '') AS code_system, events, people
FROM gp_unlisted_codes
ORDER BY events DESC, people DESC, code
LIMIT 50
