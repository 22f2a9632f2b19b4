-- The periods gp_registered lacks or has that are no longer complete periods (the 'all'
-- row aside, which follows them): when both are empty, the table kept from the last
-- build stands.
SELECT
    (SELECT count(*) FROM int_gp_periods WHERE period <> 'all' AND period NOT IN (SELECT period FROM gp_registered)),
    (SELECT count(*) FROM (SELECT DISTINCT period FROM gp_registered)
        WHERE period <> 'all' AND period NOT IN (SELECT period FROM int_gp_periods))
