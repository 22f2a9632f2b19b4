-- The referrals a nightly episode_metrics build recomputes ($1: the data_end of the last
-- build; the macro and getvariable('data_end') give the new one): those with new facts,
-- every referral of their people (re-referral and retention look across a person's
-- episodes), and those whose data_end-dependent columns can move (see episode_metrics.go).
CREATE OR REPLACE TEMP TABLE episode_candidates AS
WITH touched AS (
    SELECT referral_id FROM facts_scope
),
people AS (
    SELECT DISTINCT person_id, scheme_id FROM int_referrals SEMI JOIN touched USING (referral_id)
)
SELECT referral_id FROM touched
UNION
SELECT referral_id FROM int_referrals SEMI JOIN people USING (person_id, scheme_id)
UNION
SELECT referral_id FROM episode_metrics
WHERE referral_date > $1
   OR first_contact_date > $1
   OR (first_contact_date IS NULL AND (end_date IS NULL OR end_date > $1))
   OR (NOT closed AND episode_closed(NULL, NULL, last_contact_date, referral_date))
   OR (re_referred_90d IS NULL AND end_date + 90 <= getvariable('data_end'))
   OR (re_referred_365d IS NULL AND end_date + 365 <= getvariable('data_end'))
