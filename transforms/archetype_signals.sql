-- kind: table
-- reads: sig_general_practice, sig_link_workers, sig_outcomes, sig_vcs, sig_gp_reach, sig_gp_linkage
-- Every setting's signals (design §1, §8; outcomes §11) in one mart: the equity and continuity models
-- leave one temp table per setting of the framework, each with these columns.
SELECT NULL::VARCHAR AS scheme_id, NULL::VARCHAR AS period, NULL::VARCHAR AS setting,
    NULL::VARCHAR AS axis, NULL::VARCHAR AS signal, NULL::DOUBLE AS value, NULL::DOUBLE AS lower,
    NULL::DOUBLE AS upper, NULL::VARCHAR AS reading, NULL::VARCHAR AS inputs WHERE false
UNION ALL
SELECT scheme_id, period, setting, axis, signal, CAST(value AS DOUBLE) AS value,
    CAST(lower AS DOUBLE) AS lower, CAST(upper AS DOUBLE) AS upper, reading, inputs FROM sig_general_practice
UNION ALL
SELECT scheme_id, period, setting, axis, signal, CAST(value AS DOUBLE) AS value,
    CAST(lower AS DOUBLE) AS lower, CAST(upper AS DOUBLE) AS upper, reading, inputs FROM sig_link_workers
UNION ALL
SELECT scheme_id, period, setting, axis, signal, CAST(value AS DOUBLE) AS value,
    CAST(lower AS DOUBLE) AS lower, CAST(upper AS DOUBLE) AS upper, reading, inputs FROM sig_vcs
UNION ALL
SELECT scheme_id, period, setting, axis, signal, CAST(value AS DOUBLE) AS value,
    CAST(lower AS DOUBLE) AS lower, CAST(upper AS DOUBLE) AS upper, reading, inputs FROM sig_outcomes
UNION ALL
SELECT scheme_id, period, setting, axis, signal, CAST(value AS DOUBLE) AS value,
    CAST(lower AS DOUBLE) AS lower, CAST(upper AS DOUBLE) AS upper, reading, inputs FROM sig_gp_reach
UNION ALL
SELECT scheme_id, period, setting, axis, signal, CAST(value AS DOUBLE) AS value,
    CAST(lower AS DOUBLE) AS lower, CAST(upper AS DOUBLE) AS upper, reading, inputs FROM sig_gp_linkage
ORDER BY scheme_id, period, setting, signal
