-- Reporting periods present in the marts (the whole span 'all' is not a report period):
-- the platform's, and those of the GP record's measures (complete periods from its first
-- event), so that a GP-only configuration is reported too.
SELECT DISTINCT period FROM (
    SELECT period FROM episode_metrics
    UNION ALL
    SELECT period FROM equity_strata WHERE starts_with(measure, 'gp_')
)
WHERE period IS NOT NULL AND period <> 'all'
ORDER BY period
