-- kind: view
-- reads: outcome_pairs, referrals, episode_metrics
-- Each pair (outcome_pairs, paired) once per dimension and stratum it falls in (design
-- §11), under its own scheme and period: all; the IMD quintile, age band, sex and ethnic
-- group of the referral; and the mechanism: continuity among episodes with 3 or more
-- contacts with a recorded worker (UPC 1, 0.5 to under 1, under 0.5; the rest
-- under_three_contacts) and whether the episode ended exactly at the session cap. A pair
-- without a quintile or a cap decision has no stratum of that dimension. A view: the rows
-- multiply each pair by 7, and only their aggregates are wanted; scheme ALL and period
-- all are rolled up from those aggregates (queries/outcome_strata.sql), not from copies
-- of every pair.
WITH p AS (
    -- the referral's strata by the shared macros, its quintile from episode_metrics (which
    -- takes it from int_referrals): joining the view would resolve every referral's LSOA
    -- to use the paired few
    SELECT o.referral_id, o.scheme_id, o.period, o.measure, o.baseline_score, o.followup_score, o.change,
        CAST(e.imd_quintile AS VARCHAR) AS imd_quintile, age_band(r.age) AS age_band, sex_group(r.sex) AS sex,
        ethnic_group(CAST(r.ethnic_category AS VARCHAR)) AS ethnic_group,
        CASE WHEN e.worker_contacts >= 3 THEN
            CASE WHEN e.upc = 1 THEN 'single_worker' WHEN e.upc >= 0.5 THEN 'mostly_one' ELSE 'dispersed' END
            ELSE 'under_three_contacts' END AS continuity,
        CASE WHEN e.closed_at_cap THEN 'yes' WHEN NOT e.closed_at_cap THEN 'no' END AS ended_at_cap
    FROM outcome_pairs o
    JOIN referrals r ON r.referral_id = o.referral_id
    JOIN episode_metrics e ON e.referral_id = o.referral_id
    WHERE o.pair_status = 'paired'
),
d AS (
    SELECT p.*, d.dimension, CASE d.dimension
            WHEN 'all' THEN 'all' WHEN 'imd_quintile' THEN imd_quintile WHEN 'age_band' THEN age_band
            WHEN 'sex' THEN sex WHEN 'ethnic_group' THEN ethnic_group WHEN 'continuity' THEN continuity
            ELSE ended_at_cap END AS stratum
    FROM p
    CROSS JOIN (VALUES ('all'), ('imd_quintile'), ('age_band'), ('sex'), ('ethnic_group'), ('continuity'),
        ('ended_at_cap')) d(dimension)
)
SELECT d.scheme_id, d.period, d.dimension, d.stratum, d.measure, d.baseline_score, d.followup_score, d.change
FROM d
WHERE d.stratum IS NOT NULL
