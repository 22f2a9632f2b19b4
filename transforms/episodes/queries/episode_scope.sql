-- A nightly episode_metrics build's referrals: the candidates' people's referrals, the
-- candidates marked, in one scan of the int_referrals columns episode_metrics.sql reads
-- (a scan of every column cost twice as much).
CREATE OR REPLACE TEMP TABLE episode_scope AS
WITH people AS (
    SELECT DISTINCT person_id, scheme_id FROM int_referrals SEMI JOIN episode_candidates USING (referral_id)
)
SELECT r.referral_id, r.person_id, r.scheme_id, r.practice_code, r.referral_source,
    r.referral_date, r.period, r.imd_decile, r.imd_quintile, r.outcome, r.closed_date,
    r.referral_id IN (SELECT referral_id FROM episode_candidates) AS _candidate
FROM int_referrals r
WHERE r.referral_id IN (SELECT referral_id FROM episode_candidates)
   OR (r.person_id, r.scheme_id) IN (SELECT (person_id, scheme_id) FROM people)
