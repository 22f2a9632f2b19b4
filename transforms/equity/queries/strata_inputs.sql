-- What equity_strata's fingerprint covers of the rows that place a referral: the
-- catchments, their registered population, the local quantile cuts, the population file.
SELECT
    (SELECT count(*) || ':' || CAST(coalesce(sum(CAST(hash(c) AS HUGEINT)), 0) AS VARCHAR) FROM int_equity_catchments c),
    (SELECT count(*) || ':' || CAST(coalesce(sum(CAST(hash(c) AS HUGEINT)), 0) AS VARCHAR) FROM int_equity_population c),
    (SELECT count(*) || ':' || CAST(coalesce(sum(CAST(hash(c) AS HUGEINT)), 0) AS VARCHAR) FROM int_equity_quantile_cuts c),
    (SELECT count(*) || ':' || CAST(coalesce(sum(CAST(hash(c) AS HUGEINT)), 0) AS VARCHAR) FROM population c)
