-- Inequality summaries across IMD quintiles for one period.
SELECT scheme_id, measure, sii, sii_lower, sii_upper, rii, rii_lower, rii_upper,
       rci, rci_lower, rci_upper, aci, erreygers, coalesce(verdict, '') AS verdict,
       coalesce(verdict_reason, '') AS verdict_reason, coalesce(excluded_no_lsoa, 0) AS excluded_no_lsoa,
       discordant
FROM equity_summary
WHERE period = $period AND dimension = 'imd_quintile'
ORDER BY scheme_id, measure
