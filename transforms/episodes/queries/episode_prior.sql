-- What outcome_pairs reads of the episodes a nightly episode_metrics build recomputes, as
-- they were before it: outcome_pairs recomputes the pairs of those whose windows or strata
-- moved (queries/pairs_scope.sql in transforms/outcomes), not of every recomputed episode.
-- A full build leaves it empty (outcome_pairs is then rebuilt whole).
CREATE OR REPLACE TEMP TABLE episode_prior AS
SELECT referral_id, scheme_id, period, referral_date, first_contact_date, imd_quintile, worker_contacts, upc, closed_at_cap
FROM episode_metrics
WHERE referral_id IN (SELECT referral_id FROM episode_candidates)
