-- The referrals whose who-gets-measured flags may have moved since the last build
-- (measured.go): new or recomputed facts (facts_scope), re-paired referrals (pairs_prior),
-- and those whose baseline or follow-up window ended between the last build's data_end
-- (strata_prev_end) and this one.
CREATE OR REPLACE TEMP TABLE measured_moved AS
WITH w AS (SELECT * FROM measured_windows)
SELECT referral_id FROM facts_scope
UNION
SELECT referral_id FROM pairs_prior
UNION
SELECT referral_id FROM referrals, w
WHERE referral_date + w.w_baselined > w.prev_end AND referral_date + w.w_baselined <= w.data_end
UNION
-- any measure's baseline: a superset of the referrals whose earliest one matured
SELECT referral_id FROM outcome_pairs, w
WHERE baseline_date + w.w_followed > w.prev_end AND baseline_date + w.w_followed <= w.data_end
