-- Documentation of int_swemwbs_metric.
COMMENT ON TABLE int_swemwbs_metric IS 'Temporary: the published Rasch conversion of SWEMWBS raw totals (7–35) to metric scores.';
