-- What the link-worker signals and their readings need of continuity_summary, per scheme
-- × period over every stratum ('all').
SELECT
    scheme_id, period, episodes, episodes_n2,
    mean_coc, mean_coc_lower, mean_coc_upper, mean_upc, mean_secon,
    handoff_rate, handoffs, worker_pairs, missing_worker_share,
    cap, cap_source, closed_contacted_episodes, coalesce(episodes_at_cap, 0), coalesce(episodes_at_cap_minus_1, 0),
    coalesce(episodes_at_cap_plus_1, 0), share_above_cap, heaping_ratio, cap_heaping_detected,
    median_days_to_first_contact, p90_days_to_first_contact, km_referrals,
    re_referral_rate_90d, same_worker_retention, re_referral_eligible_90d, retention_eligible,
    re_referred_90d_episodes, contacts_without_worker, contacts, coalesce(episodes_above_cap, 0), retained_episodes
FROM continuity_summary
WHERE stratum = 'all'
ORDER BY scheme_id, period
