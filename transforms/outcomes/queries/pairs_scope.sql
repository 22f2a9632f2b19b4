-- The referrals a nightly outcome_pairs build recomputes, and the people whose
-- assessments it reads (see outcome_pairs.go): getvariable('pairs_watermark') is the
-- ingested-file watermark of the last build, getvariable('pairs_prev_end') its data_end,
-- getvariable('data_end') the new one.
CREATE OR REPLACE TEMP TABLE pair_scope AS
WITH arrived AS (
    -- assessments loaded since, or come into view as data_end moved on
    SELECT person_id, referral_id
    FROM outcomes
    WHERE coalesce(source_file_id, 0) > getvariable('pairs_watermark')
       OR (assessed_on > getvariable('pairs_prev_end') AND assessed_on <= getvariable('data_end'))
),
-- the recomputed episodes whose windows or strata moved (most move only their end date
-- or length, which pairing does not read; a new one has no prior row)
moved AS (
    SELECT c.referral_id
    FROM episode_candidates c
    LEFT JOIN episode_prior p USING (referral_id)
    LEFT JOIN episode_metrics e USING (referral_id)
    WHERE p.referral_id IS NULL OR e.referral_id IS NULL
       OR p.scheme_id IS DISTINCT FROM e.scheme_id OR p.period IS DISTINCT FROM e.period
       OR p.referral_date IS DISTINCT FROM e.referral_date OR p.first_contact_date IS DISTINCT FROM e.first_contact_date
       OR p.imd_quintile IS DISTINCT FROM e.imd_quintile OR p.worker_contacts IS DISTINCT FROM e.worker_contacts
       OR p.upc IS DISTINCT FROM e.upc OR p.closed_at_cap IS DISTINCT FROM e.closed_at_cap
),
seed AS (
    SELECT referral_id FROM moved
    UNION
    SELECT referral_id FROM referrals WHERE source_file_id > getvariable('pairs_watermark')
    UNION
    SELECT referral_id FROM arrived WHERE referral_id IS NOT NULL
    UNION
    SELECT referral_id FROM outcome_pairs
    WHERE pair_status = 'follow_up_open'
      AND baseline_date + getvariable('outcome_follow_up_max') < getvariable('data_end')
),
-- an assessment without a referral goes to one of its person's referrals by date, so a
-- person's referrals are recomputed together
people AS (
    SELECT person_id FROM referrals SEMI JOIN seed USING (referral_id)
    UNION
    SELECT person_id FROM arrived WHERE referral_id IS NULL
)
SELECT referral_id FROM seed
UNION
SELECT referral_id FROM referrals SEMI JOIN people USING (person_id);

CREATE OR REPLACE TEMP TABLE pair_people AS
SELECT DISTINCT person_id FROM referrals SEMI JOIN pair_scope USING (referral_id);
