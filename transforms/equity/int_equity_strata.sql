-- kind: temp
-- reads: int_referrals, referral_facts, facts_prior, strata_delta_referrals, strata_touched_people, strata_new_referrals, strata_pathway_prior, strata_reach_prior, int_equity_catchments, int_equity_population, int_equity_quantile_cuts, population
-- The counts of equity_strata (design §4, §8): every pathway measure's numerator and
-- denominator per scheme (and ALL) × period (and all) × stratum of each dimension: IMD
-- quintile and decile (national, or local fifths/tenths with `quantiles: local`), age
-- band, sex, ethnic group. lower and upper are left NULL here: the Go model
-- int_equity_strata_limits computes them (Wilson for proportions; exact Poisson below 10
-- events, else Byar, for reach) and equity_strata.sql joins them in.
--
-- Follow-up windows: a referral is mature for a measure when referral_date + window <=
-- data_end; immature referrals are left out of that measure's numerator and denominator
-- and counted in `immature`. Events count only inside the window, so every mature
-- referral has had the same follow-up whatever its age (and the same definition as the
-- contacted proportion of practice_variation).
--
-- The per-referral pathway flags come from referral_facts (the window counts, kept between
-- runs; see transforms/episodes); the int_equity_* models hold the catchments, their
-- registered population and the local quantile cuts.
WITH w AS (
    SELECT
        getvariable('data_end') AS data_end,
        -- incremental: the data_end of the last build (strata_plan.go)
        CAST(getvariable('strata_prev_end') AS DATE) AS prev_end,
        CAST(getvariable('window_contacted') AS INTEGER) AS w_contacted,
        CAST(getvariable('window_engaged') AS INTEGER) AS w_engaged,
        CAST(getvariable('window_vcs_uptake') AS INTEGER) AS w_vcs,
        -- the design fixes the DNA window (180 days); config has no key for it
        CAST(getvariable('window_dna') AS INTEGER) AS w_dna,
        CAST(getvariable('engaged_min_contacts') AS INTEGER) AS engaged_min
),
-- A full build counts every referral once (sign 1). A nightly build (strata_incremental)
-- reads only the referrals whose pathway flags may have moved (strata_delta_referrals:
-- new facts, or a window that matured since the last data_end) and those of people with
-- new referrals (for reach, below). Each moved referral counts with its state now
-- (sign 1) and with its state at the last build (sign -1: the window counts kept in
-- facts_prior, maturity at the last data_end), and the sums move the last build's
-- counts (strata_pathway_prior).
refs AS (
    SELECT * FROM (
        SELECT r.*, upper(trim(r.practice_code)) AS practice_norm,
            r.referral_id IN (SELECT referral_id FROM strata_delta_referrals) AS in_delta
        FROM int_referrals r
        WHERE r.referral_date IS NOT NULL
    )
    WHERE NOT getvariable('strata_incremental') OR in_delta
       OR person_id IN (SELECT person_id FROM strata_touched_people)
),
states AS (
    SELECT
        r.*,
        1 AS sign,
        NOT getvariable('strata_incremental') OR r.in_delta AS pathway,
        -- loaded since the last build (incremental reach, below; none on a full build)
        r.referral_id IN (SELECT referral_id FROM strata_new_referrals) AS is_new,
        w.data_end AS at_end,
        f.contacts_in_contacted_window, f.contacts_in_engaged_window, f.vcs_in_window,
        f.lw_booked_in_window, f.lw_dna_in_window
    FROM refs r
    CROSS JOIN w
    -- link-worker contacts (the one definition), VCS sessions, bookings and DNAs inside
    -- each window from the referral date
    LEFT JOIN referral_facts f USING (referral_id)
    UNION ALL
    SELECT
        r.*, upper(trim(r.practice_code)) AS practice_norm, true AS in_delta,
        -1, true, false,
        w.prev_end,
        CASE WHEN d.in_scope THEN p.contacts_in_contacted_window ELSE f.contacts_in_contacted_window END,
        CASE WHEN d.in_scope THEN p.contacts_in_engaged_window ELSE f.contacts_in_engaged_window END,
        CASE WHEN d.in_scope THEN p.vcs_in_window ELSE f.vcs_in_window END,
        CASE WHEN d.in_scope THEN p.lw_booked_in_window ELSE f.lw_booked_in_window END,
        CASE WHEN d.in_scope THEN p.lw_dna_in_window ELSE f.lw_dna_in_window END
    FROM int_referrals r
    JOIN strata_delta_referrals d USING (referral_id)
    CROSS JOIN w
    LEFT JOIN facts_prior p USING (referral_id)
    LEFT JOIN referral_facts f USING (referral_id)
    WHERE r.referral_date IS NOT NULL
      AND r.referral_id NOT IN (SELECT referral_id FROM strata_new_referrals)
),
flags AS (
    SELECT
        s.referral_id,
        s.person_id,
        s.scheme_id,
        s.period,
        s.practice_norm,
        s.imd_rank,
        s.imd_decile,
        s.imd_quintile,
        s.age_band,
        sex_group(s.sex) AS sex,
        s.ethnic_group,
        s.referral_date + w.w_contacted <= s.at_end AS mature_contacted,
        coalesce(s.contacts_in_contacted_window, 0) >= 1 AS contacted,
        s.referral_date + w.w_engaged <= s.at_end AS mature_engaged,
        coalesce(s.contacts_in_engaged_window, 0) >= w.engaged_min AS engaged,
        s.referral_date + w.w_vcs <= s.at_end AS mature_vcs,
        coalesce(s.vcs_in_window, false) AS vcs_uptake,
        s.referral_date + w.w_dna <= s.at_end AS mature_dna,
        coalesce(s.lw_booked_in_window, false) AS lw_booked,
        coalesce(s.lw_dna_in_window, false) AS lw_dna,
        s.is_new,
        s.sign,
        s.pathway
    FROM states s
    CROSS JOIN w
),
-- each referral counts for its own scheme and for ALL; the two can have different local
-- quantiles (each catchment is ranked on its own), so the rows are copied, not rolled up
copies AS (
    SELECT f.*, f.scheme_id AS g_scheme FROM flags f
    UNION ALL
    SELECT f.*, 'ALL' AS g_scheme FROM flags f
),
local_schemes AS (
    SELECT DISTINCT scheme_id FROM int_equity_quantile_cuts
),
-- practices whose registered patients make the reach denominator (catchment practices
-- present in the period's population extract); reach counts only their referrals. With
-- no population file there is no denominator, but the catchment's people still count.
reach_practices AS (
    SELECT DISTINCT scheme_id, period, practice_code FROM int_equity_population
    UNION ALL
    SELECT scheme_id, period, practice_code FROM int_equity_catchments WHERE NOT EXISTS (SELECT 1 FROM population)
),
-- materialised (read five times), so it carries only what folded and reach read
placed AS (
    SELECT
        c.* EXCLUDE (referral_id, scheme_id, practice_norm, imd_rank, imd_decile, imd_quintile),
        coalesce(l5.stratum, c.imd_quintile) AS q5,
        coalesce(l10.stratum, c.imd_decile) AS q10,
        cp.practice_code IS NOT NULL AS in_catchment_period,
        ca.practice_code IS NOT NULL AS in_catchment_all
    FROM copies c
    LEFT JOIN int_equity_quantile_cuts l5
        ON l5.scheme_id = c.g_scheme AND l5.quantiles = 5 AND c.imd_rank BETWEEN l5.lo_rank AND l5.hi_rank
    LEFT JOIN int_equity_quantile_cuts l10
        ON l10.scheme_id = c.g_scheme AND l10.quantiles = 10 AND c.imd_rank BETWEEN l10.lo_rank AND l10.hi_rank
    LEFT JOIN reach_practices cp
        ON cp.scheme_id = c.g_scheme AND cp.period = c.period AND cp.practice_code = c.practice_norm
    LEFT JOIN reach_practices ca
        ON ca.scheme_id = c.g_scheme AND ca.period = 'all' AND ca.practice_code = c.practice_norm
),
-- the measures need no person identity: fold the referrals into one row per combination
-- of strata first, so the unpivot and roll-up below touch thousands of rows, not millions
folded AS (
    SELECT
        g_scheme, period, q5, q10, age_band, sex, ethnic_group,
        coalesce(sum(sign) FILTER (WHERE mature_contacted), 0) AS contacted_den,
        coalesce(sum(sign) FILTER (WHERE mature_contacted AND contacted), 0) AS contacted_num,
        coalesce(sum(sign) FILTER (WHERE NOT mature_contacted), 0) AS contacted_imm,
        coalesce(sum(sign) FILTER (WHERE mature_engaged), 0) AS engaged_den,
        coalesce(sum(sign) FILTER (WHERE mature_engaged AND engaged), 0) AS engaged_num,
        coalesce(sum(sign) FILTER (WHERE NOT mature_engaged), 0) AS engaged_imm,
        coalesce(sum(sign) FILTER (WHERE mature_vcs), 0) AS vcs_den,
        coalesce(sum(sign) FILTER (WHERE mature_vcs AND vcs_uptake), 0) AS vcs_num,
        coalesce(sum(sign) FILTER (WHERE NOT mature_vcs), 0) AS vcs_imm,
        coalesce(sum(sign) FILTER (WHERE mature_dna AND lw_booked), 0) AS dna_den,
        coalesce(sum(sign) FILTER (WHERE mature_dna AND lw_booked AND lw_dna), 0) AS dna_num,
        coalesce(sum(sign) FILTER (WHERE NOT mature_dna AND lw_booked), 0) AS dna_imm
    FROM placed
    WHERE pathway
    GROUP BY ALL
),
dims AS (
    SELECT * FROM (VALUES ('imd_quintile'), ('imd_decile'), ('age_band'), ('sex'), ('ethnic_group')) d(dimension)
),
long AS (
    SELECT
        f.*,
        d.dimension,
        CASE d.dimension
            WHEN 'imd_quintile' THEN CAST(f.q5 AS VARCHAR)
            WHEN 'imd_decile' THEN CAST(f.q10 AS VARCHAR)
            WHEN 'age_band' THEN f.age_band
            WHEN 'sex' THEN f.sex
            ELSE f.ethnic_group
        END AS stratum
    FROM folded f
    CROSS JOIN dims d
),
agg_delta AS (
    SELECT
        g_scheme AS scheme_id,
        CASE WHEN grouping(period) = 1 THEN 'all' ELSE period END AS period,
        dimension,
        stratum,
        sum(contacted_den) AS contacted_den,
        sum(contacted_num) AS contacted_num,
        sum(contacted_imm) AS contacted_imm,
        sum(engaged_den) AS engaged_den,
        sum(engaged_num) AS engaged_num,
        sum(engaged_imm) AS engaged_imm,
        sum(vcs_den) AS vcs_den,
        sum(vcs_num) AS vcs_num,
        sum(vcs_imm) AS vcs_imm,
        sum(dna_den) AS dna_den,
        sum(dna_num) AS dna_num,
        sum(dna_imm) AS dna_imm
    FROM long
    WHERE stratum IS NOT NULL
    GROUP BY GROUPING SETS ((g_scheme, period, dimension, stratum), (g_scheme, dimension, stratum))
),
-- the last build's counts moved by this build's (a full build has no prior counts)
agg AS (
    SELECT scheme_id, period, dimension, stratum,
        sum(contacted_den) AS contacted_den, sum(contacted_num) AS contacted_num, sum(contacted_imm) AS contacted_imm,
        sum(engaged_den) AS engaged_den, sum(engaged_num) AS engaged_num, sum(engaged_imm) AS engaged_imm,
        sum(vcs_den) AS vcs_den, sum(vcs_num) AS vcs_num, sum(vcs_imm) AS vcs_imm,
        sum(dna_den) AS dna_den, sum(dna_num) AS dna_num, sum(dna_imm) AS dna_imm
    FROM (SELECT * FROM agg_delta UNION ALL BY NAME SELECT * FROM strata_pathway_prior)
    GROUP BY ALL
),
-- reach counts people, once each, among referrals from the catchment's practices in the
-- population extract (the period's catchment, or the whole span's for period 'all').
-- Reach does not depend on data_end, so a nightly build counts only the people with new
-- referrals (strata_touched_people; strata_plan.go): their counts with the new
-- referrals (sign 1) and without them (sign -1) move the last build's counts
-- (strata_reach_prior). Only the rows as they are now (sign 1 in placed) count here. A
-- full build counts everyone with sign 1 from no prior counts.
-- One grouping per person gives the lowest and highest stratum of their referrals; a
-- person whose referrals all fall in one stratum (nearly everyone) is counted there
-- straight away, and only the few with referrals in several strata are looked up again.
-- (count(DISTINCT) under GROUPING SETS, and then DISTINCT over a row per person and
-- dimension, each took most of this model's time.)
reach_input AS (
    SELECT * FROM placed
    WHERE person_id IS NOT NULL AND sign = 1
      AND (NOT getvariable('strata_incremental') OR person_id IN (SELECT person_id FROM strata_touched_people))
),
reach_person AS (
    SELECT g_scheme, period, person_id, 1 AS sign, min(q5) AS lo5, max(q5) AS hi5, min(q10) AS lo10, max(q10) AS hi10
    FROM reach_input
    WHERE in_catchment_period
    GROUP BY g_scheme, period, person_id
    UNION ALL
    SELECT g_scheme, 'all', person_id, 1, min(q5), max(q5), min(q10), max(q10)
    FROM reach_input
    WHERE in_catchment_all
    GROUP BY g_scheme, person_id
    UNION ALL
    SELECT g_scheme, period, person_id, -1, min(q5), max(q5), min(q10), max(q10)
    FROM reach_input
    WHERE in_catchment_period AND NOT is_new AND getvariable('strata_incremental')
    GROUP BY g_scheme, period, person_id
    UNION ALL
    SELECT g_scheme, 'all', person_id, -1, min(q5), max(q5), min(q10), max(q10)
    FROM reach_input
    WHERE in_catchment_all AND NOT is_new AND getvariable('strata_incremental')
    GROUP BY g_scheme, person_id
),
-- the people folded by their lowest and highest strata in one pass (a few thousand rows),
-- listing only those referred from several: scanning a row per person once per use cost
-- more than the rest of the model
reach_fold AS (
    SELECT g_scheme, period, sign, lo5, hi5, lo10, hi10, count(*) AS people,
        list(person_id) FILTER (WHERE lo5 <> hi5 OR lo10 <> hi10) AS several
    FROM reach_person
    GROUP BY ALL
),
reach_several AS (
    SELECT g_scheme, period, sign, unnest(several) AS person_id, lo5 <> hi5 AS several5, lo10 <> hi10 AS several10
    FROM reach_fold
    WHERE lo5 <> hi5 OR lo10 <> hi10
),
reach_strata AS (
    -- one stratum: counted once
    SELECT g_scheme, period, 'imd_quintile' AS dimension, lo5 AS stratum, sign * people AS people FROM reach_fold WHERE lo5 = hi5
    UNION ALL
    SELECT g_scheme, period, 'imd_decile', lo10, sign * people FROM reach_fold WHERE lo10 = hi10
    UNION ALL
    -- several: once in each stratum they were referred from, both dimensions from one
    -- look-up of their referrals
    SELECT g_scheme, period, dimension, stratum, sign FROM (
        SELECT DISTINCT m.g_scheme, m.period, m.person_id, m.sign, d.dimension,
            CASE d.dimension WHEN 'imd_quintile' THEN p.q5 ELSE p.q10 END AS stratum
        FROM reach_several m
        JOIN placed p ON p.g_scheme = m.g_scheme AND p.person_id = m.person_id AND p.sign = 1
            AND (m.period = 'all' AND p.in_catchment_all OR m.period = p.period AND p.in_catchment_period)
            AND (m.sign = 1 OR NOT p.is_new)
        JOIN (VALUES ('imd_quintile'), ('imd_decile')) d(dimension)
            ON d.dimension = 'imd_quintile' AND m.several5 OR d.dimension = 'imd_decile' AND m.several10
    )
    WHERE stratum IS NOT NULL
),
reach_people AS (
    SELECT scheme_id, period, dimension, stratum, CAST(sum(people) AS BIGINT) AS reach_num
    FROM (
        SELECT g_scheme AS scheme_id, period, dimension, CAST(stratum AS VARCHAR) AS stratum, people FROM reach_strata
        UNION ALL
        SELECT scheme_id, period, dimension, stratum, numerator FROM strata_reach_prior
    )
    GROUP BY ALL
),
-- every scheme × period with referrals (every referral has an age band, 'unknown' included)
cells AS (
    SELECT DISTINCT a.scheme_id, a.period, CASE WHEN ls.scheme_id IS NULL THEN 'national' ELSE 'local' END AS quantile_basis
    FROM agg a
    LEFT JOIN local_schemes ls USING (scheme_id)
    WHERE a.dimension = 'age_band'
),
-- every deprivation stratum of every cell, empty ones included, so a gap is visible
imd_grid AS (
    SELECT c.scheme_id, c.period, c.quantile_basis, g.dimension, CAST(g.s AS VARCHAR) AS stratum, g.s AS stratum_order
    FROM cells c
    CROSS JOIN (
        SELECT 'imd_quintile' AS dimension, s FROM range(1, 6) t(s)
        UNION ALL
        SELECT 'imd_decile', s FROM range(1, 11) t(s)
    ) g
),
-- registered population per stratum, placed like the referrals (national or local)
pop_strata AS (
    SELECT
        p.scheme_id,
        p.period,
        d.dimension,
        CAST(CASE d.dimension
            WHEN 'imd_quintile' THEN coalesce(l5.stratum, p.imd_quintile)
            ELSE coalesce(l10.stratum, p.imd_decile)
        END AS VARCHAR) AS stratum,
        sum(p.patients) AS patients
    FROM int_equity_population p
    CROSS JOIN (VALUES ('imd_quintile'), ('imd_decile')) d(dimension)
    LEFT JOIN int_equity_quantile_cuts l5
        ON l5.scheme_id = p.scheme_id AND l5.quantiles = 5 AND p.imd_rank BETWEEN l5.lo_rank AND l5.hi_rank
    LEFT JOIN int_equity_quantile_cuts l10
        ON l10.scheme_id = p.scheme_id AND l10.quantiles = 10 AND p.imd_rank BETWEEN l10.lo_rank AND l10.hi_rank
    WHERE p.imd_rank IS NOT NULL
    GROUP BY ALL
),
has_population AS (
    SELECT EXISTS (SELECT 1 FROM population) AS yes
),
measures AS (
    SELECT * FROM (VALUES
        ('contacted', 1), ('engaged', 2), ('vcs_uptake', 3), ('dna', 4)
    ) m(measure, measure_order)
),
ordered_rows AS (
    SELECT
        g.scheme_id, g.period, g.dimension, g.stratum, g.stratum_order, g.quantile_basis, m.measure,
        coalesce(CASE m.measure WHEN 'contacted' THEN a.contacted_num WHEN 'engaged' THEN a.engaged_num
            WHEN 'vcs_uptake' THEN a.vcs_num ELSE a.dna_num END, 0) AS numerator,
        coalesce(CASE m.measure WHEN 'contacted' THEN a.contacted_den WHEN 'engaged' THEN a.engaged_den
            WHEN 'vcs_uptake' THEN a.vcs_den ELSE a.dna_den END, 0) AS denominator,
        coalesce(CASE m.measure WHEN 'contacted' THEN a.contacted_imm WHEN 'engaged' THEN a.engaged_imm
            WHEN 'vcs_uptake' THEN a.vcs_imm ELSE a.dna_imm END, 0) AS immature
    FROM imd_grid g
    CROSS JOIN measures m
    LEFT JOIN agg a USING (scheme_id, period, dimension, stratum)
    UNION ALL
    SELECT
        g.scheme_id, g.period, g.dimension, g.stratum, g.stratum_order, g.quantile_basis, 'reach',
        coalesce(rp.reach_num, 0),
        -- NULL (not 0) when no population file is loaded: the rate is unknown, not zero
        CASE WHEN (SELECT yes FROM has_population) THEN coalesce(ps.patients, 0) END,
        0
    FROM imd_grid g
    LEFT JOIN reach_people rp USING (scheme_id, period, dimension, stratum)
    LEFT JOIN pop_strata ps USING (scheme_id, period, dimension, stratum)
),
unordered_rows AS (
    SELECT
        a.scheme_id, a.period, a.dimension, a.stratum,
        stratum_order(a.dimension, a.stratum) AS stratum_order,
        CAST(NULL AS VARCHAR) AS quantile_basis,
        m.measure,
        CASE m.measure WHEN 'contacted' THEN a.contacted_num WHEN 'engaged' THEN a.engaged_num
            WHEN 'vcs_uptake' THEN a.vcs_num ELSE a.dna_num END AS numerator,
        CASE m.measure WHEN 'contacted' THEN a.contacted_den WHEN 'engaged' THEN a.engaged_den
            WHEN 'vcs_uptake' THEN a.vcs_den ELSE a.dna_den END AS denominator,
        CASE m.measure WHEN 'contacted' THEN a.contacted_imm WHEN 'engaged' THEN a.engaged_imm
            WHEN 'vcs_uptake' THEN a.vcs_imm ELSE a.dna_imm END AS immature
    FROM agg a
    CROSS JOIN measures m
    WHERE a.dimension IN ('age_band', 'sex', 'ethnic_group')
),
all_rows AS (
    SELECT * FROM ordered_rows
    UNION ALL
    SELECT * FROM unordered_rows
)
SELECT
    x.scheme_id,
    x.period,
    x.dimension,
    x.stratum,
    x.measure,
    CAST(x.numerator AS BIGINT) AS numerator,
    CAST(x.denominator AS BIGINT) AS denominator,
    CASE
        WHEN x.measure = 'reach' THEN 1000.0 * x.numerator / nullif(x.denominator, 0)
        ELSE CAST(x.numerator AS DOUBLE) / nullif(x.denominator, 0)
    END AS value,
    -- equity_strata.sql fills in the limits (int_equity_strata_limits)
    CAST(NULL AS DOUBLE) AS lower,
    CAST(NULL AS DOUBLE) AS upper,
    CAST(x.immature AS BIGINT) AS immature,
    CAST(x.stratum_order AS INTEGER) AS stratum_order,
    CASE WHEN x.measure = 'reach' THEN 'per 1,000 registered patients' ELSE 'proportion' END AS unit,
    CASE x.measure
        WHEN 'contacted' THEN (SELECT w_contacted FROM w)
        WHEN 'engaged' THEN (SELECT w_engaged FROM w)
        WHEN 'vcs_uptake' THEN (SELECT w_vcs FROM w)
        WHEN 'dna' THEN (SELECT w_dna FROM w)
    END AS window_days,
    CASE WHEN x.measure = 'dna' THEN 'adverse' ELSE 'favourable' END AS polarity,
    x.quantile_basis
FROM all_rows x
ORDER BY x.scheme_id, x.period, x.dimension, x.measure, x.stratum_order, x.stratum
