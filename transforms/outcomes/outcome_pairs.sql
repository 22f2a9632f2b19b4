-- One row per referral × measure with at least one assessment (design §11): its baseline
-- and follow-up, SWEMWBS on the metric scale, and why there is no pair when there is none.
-- An assessment that names its referral belongs to it; one that does not belongs to the
-- person's latest referral whose window holds its date (referral − before_referral days
-- to closure, else data_end, + 60 days), and one that fits none is left out (unmatched).
-- Assessments after data_end are not yet seen.
--
-- Each row carries the strata outcome_change counts it under (design §11): the referral's
-- IMD quintile, age band, sex and ethnic group, and the mechanism of its episode
-- (continuity among episodes with 3 or more contacts with a recorded worker, and whether
-- it ended exactly at the session cap), so that the change statistics read this table
-- alone rather than joining every pair to the referrals and episodes each night.
--
-- pair_outcomes are the assessments read: every one on a full build, and on a nightly
-- build those of the referrals recomputed and of their people (outcome_pairs.go).
WITH named AS (
    SELECT o.assessment_id, o.referral_id, o.measure, o.score, o.assessed_on, o.stage
    FROM pair_outcomes o
    WHERE o.referral_id IS NOT NULL AND o.assessed_on <= getvariable('data_end')
),
by_date AS (
    SELECT o.assessment_id,
        arg_max(r.referral_id, {'d': r.referral_date, 'id': r.referral_id}) AS referral_id,
        any_value(o.measure) AS measure, any_value(o.score) AS score,
        any_value(o.assessed_on) AS assessed_on, any_value(o.stage) AS stage
    FROM pair_outcomes o
    JOIN referrals r ON r.person_id = o.person_id
        AND o.assessed_on >= r.referral_date - getvariable('outcome_before_referral')
        AND o.assessed_on <= coalesce(r.closed_date, getvariable('data_end')) + 60
    WHERE o.referral_id IS NULL AND o.assessed_on <= getvariable('data_end')
    GROUP BY o.assessment_id
),
scored AS (
    SELECT a.assessment_id, a.referral_id, CAST(a.measure AS VARCHAR) AS measure, a.assessed_on,
        CAST(a.stage AS VARCHAR) AS stage,
        CASE WHEN a.measure = 'swemwbs' THEN m.metric ELSE CAST(a.score AS DOUBLE) END AS score
    FROM (SELECT * FROM named UNION ALL SELECT * FROM by_date) a
    LEFT JOIN int_swemwbs_metric m ON a.measure = 'swemwbs' AND m.raw = a.score
),
-- the episodes and measures with a staged assessment: there, stages decide (a join,
-- not a window over every assessment, which sorted them)
staged AS (
    SELECT DISTINCT referral_id, measure FROM scored WHERE stage IS NOT NULL
),
episode AS (
    SELECT s.*, e.scheme_id, e.period, e.referral_date,
        st.referral_id IS NOT NULL AS staged,
        s.assessed_on BETWEEN e.referral_date - getvariable('outcome_before_referral')
            AND CASE WHEN e.first_contact_date IS NOT NULL THEN e.first_contact_date + getvariable('outcome_after_first_contact')
                ELSE e.referral_date + getvariable('outcome_if_never_contacted') END AS in_baseline_window
    FROM scored s
    JOIN episode_metrics e ON e.referral_id = s.referral_id
    LEFT JOIN staged st ON st.referral_id = s.referral_id AND st.measure = s.measure
),
baseline AS (
    SELECT referral_id, measure, any_value(scheme_id) AS scheme_id, any_value(period) AS period,
        any_value(staged) AS staged,
        min(assessed_on) FILTER (WHERE CASE WHEN staged THEN stage = 'baseline' ELSE in_baseline_window END) AS baseline_date,
        arg_min(score, {'d': assessed_on, 'id': assessment_id})
            FILTER (WHERE CASE WHEN staged THEN stage = 'baseline' ELSE in_baseline_window END) AS baseline_score
    FROM episode
    GROUP BY referral_id, measure
),
follow_up AS (
    SELECT b.referral_id, b.measure,
        max(e.assessed_on) AS followup_date,
        arg_max(e.score, {'d': e.assessed_on, 'id': e.assessment_id}) AS followup_score
    FROM baseline b
    JOIN episode e ON e.referral_id = b.referral_id AND e.measure = b.measure
    WHERE b.baseline_date IS NOT NULL AND CASE WHEN b.staged
        THEN e.stage IN ('follow_up', 'closure') AND e.assessed_on > b.baseline_date
        ELSE e.assessed_on BETWEEN b.baseline_date + getvariable('outcome_follow_up_min')
            AND b.baseline_date + getvariable('outcome_follow_up_max') END
    GROUP BY b.referral_id, b.measure
)
SELECT b.referral_id, b.scheme_id, b.period, b.measure, b.baseline_date, b.baseline_score,
    f.followup_date, f.followup_score, f.followup_score - b.baseline_score AS change,
    CASE WHEN b.baseline_date IS NULL THEN 'no_baseline'
        WHEN f.followup_date IS NOT NULL THEN 'paired'
        WHEN b.baseline_date + getvariable('outcome_follow_up_max') < getvariable('data_end') THEN 'no_follow_up'
        ELSE 'follow_up_open' END AS pair_status,
    f.followup_date - b.baseline_date AS follow_up_days,
    e.imd_quintile,
    age_band(r.age) AS age_band,
    sex_group(r.sex) AS sex,
    ethnic_group(CAST(r.ethnic_category AS VARCHAR)) AS ethnic_group,
    CASE WHEN e.worker_contacts >= 3 THEN
        CASE WHEN e.upc = 1 THEN 'single_worker' WHEN e.upc >= 0.5 THEN 'mostly_one' ELSE 'dispersed' END
        ELSE 'under_three_contacts' END AS continuity,
    CASE WHEN e.closed_at_cap THEN 'yes' WHEN NOT e.closed_at_cap THEN 'no' END AS ended_at_cap
FROM baseline b
LEFT JOIN follow_up f ON f.referral_id = b.referral_id AND f.measure = b.measure
JOIN episode_metrics e ON e.referral_id = b.referral_id
JOIN referrals r ON r.referral_id = b.referral_id
