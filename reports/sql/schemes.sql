-- Schemes with referrals in the period (ALL added by the caller).
SELECT DISTINCT scheme_id FROM episode_metrics WHERE period = $period AND scheme_id IS NOT NULL ORDER BY 1
