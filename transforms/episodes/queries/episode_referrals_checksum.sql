-- episode_metrics' checksum of the referrals: the columns it reads through int_referrals
-- (the facts' checksum covers only the id and date).
-- The count and summed hash of those columns, over the rows there at the last build
-- (loaded from files up to its watermark $1, or by hand) and over every row now, from
-- one scan.
SELECT
    count(*) FILTER (WHERE loaded_by <= $1),
    CAST(coalesce(sum(h) FILTER (WHERE loaded_by <= $1), 0) AS VARCHAR),
    count(*),
    CAST(coalesce(sum(h), 0) AS VARCHAR)
FROM (
    SELECT
        coalesce(source_file_id, 0) AS loaded_by,
        CAST(hash(referral_id, person_id, scheme_id, practice_code, referral_date, referral_source,
            outcome, closed_date, lsoa_code, sex, age, birth_month, ethnic_category) AS HUGEINT) AS h
    FROM referrals
)
