-- WHO's summary measures across the non-ordered groups for one period (design §4).
SELECT scheme_id, dimension, measure, groups, groups_left_out, best_group, worst_group, d, r, bgv, bgv_se,
    mdmw, idisw, ti, mld, parisk, paf
FROM equity_groups
WHERE period = $period
ORDER BY scheme_id, dimension, measure
