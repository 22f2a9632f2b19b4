-- outcome_pairs' checksum of the outcomes: every column it reads. The count and summed
-- hash over the rows there at the last build (loaded from files up to its watermark $1,
-- or by hand) and over every row now, from one scan: a corrected or removed assessment
-- changes the first pair, and then the pairs are rebuilt in full.
SELECT
    count(*) FILTER (WHERE loaded_by <= $1),
    CAST(coalesce(sum(h) FILTER (WHERE loaded_by <= $1), 0) AS VARCHAR),
    count(*),
    CAST(coalesce(sum(h), 0) AS VARCHAR)
FROM (
    SELECT
        coalesce(source_file_id, 0) AS loaded_by,
        CAST(hash(assessment_id, person_id, referral_id, measure, score, assessed_on, stage) AS HUGEINT) AS h
    FROM outcomes
)
