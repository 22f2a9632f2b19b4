-- kind: macro
-- episode_closed is the one definition of a closed episode: recorded as closed, or dormant
-- (no contact, nor referral, in the 90 days before data_end). int_continuity_caps,
-- episode_metrics and the incremental candidates (episode_candidates.sql) use it.
CREATE OR REPLACE TEMP MACRO episode_closed(outcome, closed_date, last_contact_date, referral_date) AS
    coalesce(outcome = 'closed', false)
    OR closed_date IS NOT NULL
    OR coalesce(last_contact_date, referral_date) <= getvariable('data_end') - 90
