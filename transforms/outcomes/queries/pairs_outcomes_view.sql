-- The assessments a nightly outcome_pairs build reads: those of the people of the
-- referrals it recomputes, and any naming one of those referrals.
CREATE OR REPLACE TEMP VIEW pair_outcomes AS
SELECT * FROM outcomes
WHERE person_id IN (SELECT person_id FROM pair_people)
   OR referral_id IN (SELECT referral_id FROM pair_scope)
