-- The framework's signals (design §1) for one period.
SELECT scheme_id, setting, axis, signal, value, lower, upper, coalesce(inputs, '') AS inputs
FROM archetype_signals
WHERE period = $period
ORDER BY scheme_id,
         CASE setting WHEN 'general_practice' THEN 1 WHEN 'link_workers' THEN 2 ELSE 3 END,
         signal
