-- S1's contacted proportion across age bands over the whole span.
SELECT * FROM equity_groups
WHERE scheme_id = 'S1' AND period = 'all' AND dimension = 'age_band' AND measure = 'contacted'
