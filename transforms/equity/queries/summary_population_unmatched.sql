-- Registered patients of each catchment in LSOAs the deprivation edition lacks.
SELECT scheme_id, period, coalesce(sum(patients) FILTER (WHERE imd_rank IS NULL), 0)
FROM int_equity_population
GROUP BY ALL
