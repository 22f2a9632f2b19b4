SELECT * FROM outcome_summary WHERE scheme_id = 'S1' AND period = '2024-Q1'
