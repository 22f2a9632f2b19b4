-- S1's signals in its one period: the readings are prose, checked by the domain tests.
SELECT setting, axis, signal, value, lower, upper
FROM archetype_signals
WHERE scheme_id = 'S1' AND period = '2024-Q1'
