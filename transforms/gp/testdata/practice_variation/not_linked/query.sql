-- Nothing is linked without gp.linked: no linkage rows anywhere.
SELECT
    (SELECT count(*) FROM practice_variation WHERE measure IN ('gp_coding_completeness', 'gp_lost_between_sectors')) AS practice_rows,
    (SELECT count(*) FROM archetype_signals WHERE signal IN ('gp_coding_completeness', 'gp_lost_between_sectors')) AS signal_rows,
    (SELECT count(*) FROM practice_variation WHERE measure = 'gp_referral_rate') > 0 AS rates_still_there
