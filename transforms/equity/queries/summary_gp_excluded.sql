-- GP-coded referrals whose patient's LSOA gives no deprivation stratum, per scheme (and
-- ALL) × period (and all): the excluded count of the GP measures' summaries.
SELECT scheme_id, period, count(*) FILTER (WHERE imd_quintile IS NULL)
FROM int_gp_referral_attrs
GROUP BY scheme_id, period
UNION ALL
SELECT scheme_id, 'all', count(*) FILTER (WHERE imd_quintile IS NULL)
FROM int_gp_referral_attrs
GROUP BY scheme_id
