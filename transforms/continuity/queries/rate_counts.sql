-- Every numerator and denominator of the continuity_summary rates
-- given Wilson intervals: re-referral within 90 and 365 days, same-worker retention.
SELECT re_referred_90d_episodes, re_referral_eligible_90d FROM int_continuity_summary WHERE re_referral_eligible_90d > 0
UNION
SELECT re_referred_365d_episodes, re_referral_eligible_365d FROM int_continuity_summary WHERE re_referral_eligible_365d > 0
UNION
SELECT retained_episodes, retention_eligible FROM int_continuity_summary WHERE retention_eligible > 0
