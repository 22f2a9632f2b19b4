-- SWEMWBS raw total → metric score (design §11), which the Go model of the same name
-- fills from stats.SWEMWBSMetric (outcomes.go).
CREATE OR REPLACE TEMP TABLE int_swemwbs_metric (
    raw INTEGER,
    metric DOUBLE
)
