-- Referrals with no deprivation stratum per scheme (and ALL) × period (and all):
-- lsoa_status is decided once, in int_referrals; matched and mapped referrals are the
-- ones with a stratum.
SELECT
    CASE WHEN grouping(scheme_id) = 1 THEN 'ALL' ELSE scheme_id END,
    CASE WHEN grouping(period) = 1 THEN 'all' ELSE period END,
    count(*) FILTER (WHERE lsoa_status NOT IN ('matched', 'mapped'))
FROM int_referrals
WHERE referral_date IS NOT NULL
GROUP BY GROUPING SETS ((scheme_id, period), (scheme_id), (period), ())
