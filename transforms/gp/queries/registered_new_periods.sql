-- The periods an incremental gp_registered build counts: those it lacks, and all (whose
-- mid-point moves with the set of periods).
CREATE OR REPLACE TEMP VIEW gp_registered_periods AS
SELECT * FROM int_gp_periods
WHERE period = 'all' OR period NOT IN (SELECT period FROM gp_registered)
