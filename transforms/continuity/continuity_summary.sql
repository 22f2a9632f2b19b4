-- kind: table
-- reads: int_continuity_summary, int_continuity_km, int_continuity_rate_ci
-- Continuity and link-worker metrics (design §5) per scheme (and ALL) × period (and all) ×
-- stratum: int_continuity_summary's, with the Kaplan–Meier median and 90th percentile of
-- days to first contact (int_continuity_km) and, last, the Wilson 95% limits of the
-- re-referral and retention rates (int_continuity_rate_ci, by numerator and denominator).
SELECT
    s.* REPLACE (k.median_days AS median_days_to_first_contact, k.p90_days AS p90_days_to_first_contact),
    r90.lower AS re_referral_rate_90d_lower,
    r90.upper AS re_referral_rate_90d_upper,
    r365.lower AS re_referral_rate_365d_lower,
    r365.upper AS re_referral_rate_365d_upper,
    rt.lower AS same_worker_retention_lower,
    rt.upper AS same_worker_retention_upper
FROM int_continuity_summary s
LEFT JOIN int_continuity_km k USING (scheme_id, period, stratum)
LEFT JOIN int_continuity_rate_ci r90 ON r90.num = s.re_referred_90d_episodes AND r90.den = s.re_referral_eligible_90d
LEFT JOIN int_continuity_rate_ci r365 ON r365.num = s.re_referred_365d_episodes AND r365.den = s.re_referral_eligible_365d
LEFT JOIN int_continuity_rate_ci rt ON rt.num = s.retained_episodes AND rt.den = s.retention_eligible
ORDER BY s.scheme_id, s.period, s.stratum
