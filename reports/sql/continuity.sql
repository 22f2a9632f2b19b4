-- Continuity per scheme × stratum for one period, with the counts behind each share.
SELECT scheme_id, stratum, CAST(episodes AS BIGINT) AS episodes, CAST(contacted_episodes AS BIGINT) AS contacted_episodes, CAST(episodes_n2 AS BIGINT) AS episodes_n2, CAST(episodes_n3 AS BIGINT) AS episodes_n3,
       mean_upc, mean_coc, mean_secon, mean_hhi, mean_mmci, mean_coc_n3,
       median_days_to_first_contact, p90_days_to_first_contact, CAST(km_referrals AS BIGINT) AS km_referrals,
       CAST(handoffs AS BIGINT) AS handoffs, CAST(worker_pairs AS BIGINT) AS worker_pairs, CAST(contacts AS BIGINT) AS contacts, CAST(contacts_without_worker AS BIGINT) AS contacts_without_worker,
       CAST(cap AS BIGINT) AS cap, coalesce(cap_source, '') AS cap_source, CAST(closed_contacted_episodes AS BIGINT) AS closed_contacted_episodes,
       CAST(episodes_at_cap_minus_1 AS BIGINT) AS episodes_at_cap_minus_1, CAST(episodes_at_cap AS BIGINT) AS episodes_at_cap, CAST(episodes_at_cap_plus_1 AS BIGINT) AS episodes_at_cap_plus_1, CAST(episodes_above_cap AS BIGINT) AS episodes_above_cap,
       cap_heaping_detected,
       CAST(re_referral_eligible_90d AS BIGINT) AS re_referral_eligible_90d, CAST(re_referred_90d_episodes AS BIGINT) AS re_referred_90d_episodes,
       CAST(re_referral_eligible_365d AS BIGINT) AS re_referral_eligible_365d, CAST(re_referred_365d_episodes AS BIGINT) AS re_referred_365d_episodes,
       CAST(retention_eligible AS BIGINT) AS retention_eligible, CAST(retained_episodes AS BIGINT) AS retained_episodes
FROM continuity_summary
WHERE period = $period
ORDER BY scheme_id, stratum
