-- gp_referrals' checksum of the GP events: every column it reads. The count and summed
-- hash over the rows there at the last build (loaded from files up to its watermark $1,
-- or by hand) and over every row now, from one scan: a corrected or removed event changes
-- the first pair, and then every referral is rebuilt.
SELECT
    count(*) FILTER (WHERE loaded_by <= $1),
    CAST(coalesce(sum(h) FILTER (WHERE loaded_by <= $1), 0) AS VARCHAR),
    count(*),
    CAST(coalesce(sum(h), 0) AS VARCHAR)
FROM (
    SELECT
        coalesce(source_file_id, 0) AS loaded_by,
        CAST(hash(person_id, practice_code, event_date, code, code_system, event_key) AS HUGEINT) AS h
    FROM gp_events
)
