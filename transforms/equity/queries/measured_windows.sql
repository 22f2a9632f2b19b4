-- The dates and windows who gets measured is counted with (int_equity_measured_strata.sql,
-- queries/measured_moved.sql): data_end now and at the last build (strata_prev_end; NULL
-- on a full build), the baseline window (120 days, and at least the contacted window) and
-- the follow-up window's end.
CREATE OR REPLACE TEMP VIEW measured_windows AS
SELECT
    getvariable('data_end') AS data_end,
    CAST(getvariable('strata_prev_end') AS DATE) AS prev_end,
    greatest(120, CAST(getvariable('window_contacted') AS INTEGER)) AS w_baselined,
    CAST(getvariable('outcome_follow_up_max') AS INTEGER) AS w_followed
