-- Kaplan–Meier time to first contact per scheme and period, every stratum together.
SELECT scheme_id, period, episodes, km_referrals, median_days_to_first_contact, p90_days_to_first_contact
FROM continuity_summary
WHERE scheme_id IN ('S1', 'S3') AND stratum = 'all'
