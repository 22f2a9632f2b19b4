-- Documentation of outcome_summary and its columns (design §8, §11).
COMMENT ON TABLE outcome_summary IS 'Per scheme (and ALL) × period (and all) × measure: the gradient of wellbeing change across IMD quintiles and the continuity contrast. Observational: no comparison group.';
COMMENT ON COLUMN outcome_summary.scheme_id IS 'SP scheme, or ALL.';
COMMENT ON COLUMN outcome_summary.period IS 'Reporting period of the referrals, or all.';
COMMENT ON COLUMN outcome_summary.measure IS 'Wellbeing measure (swemwbs on the metric scale).';
COMMENT ON COLUMN outcome_summary.pairs IS 'Referrals with a baseline and a follow-up.';
COMMENT ON COLUMN outcome_summary.sii IS 'Slope index of inequality of mean change across IMD quintiles (PHE phe_sii for means, no transform; weights = shares of pairs, stratum SE = SD/√n; quintiles with 2 or more pairs, at least 3). Below 0: change higher in the more deprived.';
COMMENT ON COLUMN outcome_summary.sii_lower IS 'Lower 95% limit of the SII (closed form of design §4).';
COMMENT ON COLUMN outcome_summary.sii_upper IS 'Upper 95% limit of the SII.';
COMMENT ON COLUMN outcome_summary.verdict IS 'larger_gain_in_more_deprived | smaller_gain_in_more_deprived | no_clear_gradient | insufficient_data, oriented by the measure''s polarity.';
COMMENT ON COLUMN outcome_summary.verdict_reason IS 'Why: the SII and its interval, or what was missing.';
COMMENT ON COLUMN outcome_summary.continuity_difference IS 'Mean change of single-worker episodes (UPC 1) − dispersed episodes (UPC < 0.5), among episodes with 3+ contacts with a recorded worker; NULL when either side has fewer than 2 pairs.';
COMMENT ON COLUMN outcome_summary.continuity_difference_lower IS 'Lower limit of Welch''s 95% interval of the difference.';
COMMENT ON COLUMN outcome_summary.continuity_difference_upper IS 'Upper limit of Welch''s 95% interval of the difference.';
