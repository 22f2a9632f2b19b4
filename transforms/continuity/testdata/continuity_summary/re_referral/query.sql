-- S1's re-referral and retention over the whole span, with their Wilson limits.
SELECT scheme_id, period, stratum, re_referral_eligible_90d, re_referred_90d_episodes, re_referral_rate_90d, re_referral_rate_90d_lower, re_referral_rate_90d_upper, re_referral_eligible_365d, re_referral_rate_365d, retention_eligible, retained_episodes, same_worker_retention, same_worker_retention_lower, same_worker_retention_upper
FROM continuity_summary
WHERE scheme_id = 'S1' AND period = 'all' AND stratum = 'all'
