-- facts_prior: the window counts of the referrals about to be recomputed, as they were,
-- which an incremental equity_strata subtracts (equity/strata_plan.go); empty on a full
-- build, whose referral_facts has just been created empty.
CREATE OR REPLACE TEMP TABLE facts_prior AS
SELECT referral_id, contacts_in_contacted_window, contacts_in_engaged_window, vcs_in_window, lw_booked_in_window,
    lw_dna_in_window
FROM referral_facts
WHERE referral_id IN (SELECT referral_id FROM facts_scope)
