-- S1 in its one period: every stratum.
SELECT scheme_id, period, stratum, episodes, mean_upc, mean_coc, mean_secon, mean_hhi, mean_mmci, median_days_to_first_contact, p90_days_to_first_contact, handoff_rate, missing_worker_share, cap, cap_heaping_share, share_above_cap, heaping_ratio, cap_heaping_detected, contacted_episodes, episodes_n2, episodes_n3, km_referrals
FROM continuity_summary
WHERE scheme_id = 'S1' AND period = '2024-Q1'
