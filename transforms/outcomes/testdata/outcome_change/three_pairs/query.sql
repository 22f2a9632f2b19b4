-- S1's first quarter: all pairs of both measures, and WEMWBS by continuity of link working.
SELECT * EXCLUDE (scheme_id, period)
FROM outcome_change
WHERE scheme_id = 'S1' AND period = '2024-Q1'
    AND (dimension = 'all' OR dimension = 'continuity' AND measure = 'wemwbs')
