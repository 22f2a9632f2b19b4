-- S1's summary of contacted and reach across national IMD quintiles in its one period.
SELECT measure, sii, sii_lower, sii_upper, rii, rii_lower, rii_upper, q5_minus_q1, q5_minus_q1_lower, q5_minus_q1_upper, q5_over_q1, q5_over_q1_lower, q5_over_q1_upper, core20_share_ratio, excluded_no_lsoa, verdict, strata_used
FROM equity_summary
WHERE scheme_id = 'S1' AND period = '2024-Q1' AND dimension = 'imd_quintile' AND measure IN ('contacted', 'reach')
