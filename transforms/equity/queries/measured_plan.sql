-- Whether int_equity_measured_strata can move the last build's counts (measured.go), on a
-- build whose equity_strata counts move too: outcome_pairs was re-paired incrementally
-- this build (its state is already recorded), and the last build counted who gets
-- measured (it had an outcomes extract).
SELECT
    EXISTS (SELECT 1 FROM transform_state WHERE model = 'outcome_pairs' AND mode = 'incremental')
    AND EXISTS (SELECT 1 FROM equity_strata WHERE measure = 'outcome_baselined')
