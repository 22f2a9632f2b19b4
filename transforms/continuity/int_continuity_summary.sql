-- kind: temp
-- reads: episode_metrics, int_continuity_caps
-- continuity_summary but for its Go-computed columns: continuity and link-worker metrics
-- (design §5) per scheme (and ALL) × period (and all) × stratum ('all' and IMD quintiles
-- '1'–'5', since continuity can itself be inequitable). Episodes without a quintile count
-- in 'all' only. Cap heaping is measured at the scheme's k from int_continuity_caps (ALL
-- uses the ALL row). continuity_summary.sql adds the Kaplan–Meier quantiles
-- (int_continuity_km) and the Wilson limits of the rates (int_continuity_rate_ci).
WITH e AS (
    SELECT
        m.scheme_id AS g_scheme,
        m.period AS g_period,
        m.imd_quintile AS g_quintile,
        m.lw_contacts, m.worker_contacts, m.contacts_without_worker,
        m.upc, m.coc, m.secon, m.hhi, m.mmci, m.handoffs,
        m.contacted, m.engaged, m.first_contact_event,
        m.re_referred_90d, m.re_referred_365d, m.same_worker_retained,
        -- re-referral rates are over episodes whose whole window has passed: counting an
        -- early re-referral before everyone else's window has closed would push recent
        -- periods toward 100%
        m.end_date + 90 <= getvariable('data_end') AS rr90_window_passed,
        m.end_date + 365 <= getvariable('data_end') AS rr365_window_passed,
        -- heaping is over closed episodes that had at least one contact: an episode that
        -- never started cannot have been stopped at a cap
        m.closed AND m.lw_contacts >= 1 AS heaping_base,
        cs.cap AS cap_scheme,
        cs.cap_source AS cap_source_scheme,
        ca.cap AS cap_all,
        ca.cap_source AS cap_source_all
    FROM episode_metrics m
    LEFT JOIN int_continuity_caps cs ON cs.scheme_id = m.scheme_id
    LEFT JOIN int_continuity_caps ca ON ca.scheme_id = 'ALL'
),
-- one pass over the episodes at the finest grain; the roll-up below then works on a few
-- hundred rows (a CUBE straight over the episodes aggregated every one of them 8 times)
fine AS (
    SELECT
        g_scheme, g_period, g_quintile,
        count(*) AS episodes,
        count(*) FILTER (WHERE contacted) AS contacted_episodes,
        count(*) FILTER (WHERE worker_contacts >= 2) AS episodes_n2,
        count(*) FILTER (WHERE worker_contacts >= 3) AS episodes_n3,
        -- the indices are NULL below 2 contacts with a worker, so means are over N ≥ 2
        sum(upc) AS s_upc, count(upc) AS n_upc,
        sum(coc) AS s_coc, sum(coc * coc) AS ss_coc, count(coc) AS n_coc,
        sum(secon) AS s_secon, count(secon) AS n_secon,
        sum(hhi) FILTER (WHERE worker_contacts >= 2) AS s_hhi, count(hhi) FILTER (WHERE worker_contacts >= 2) AS n_hhi,
        sum(mmci) AS s_mmci, count(mmci) AS n_mmci,
        sum(upc) FILTER (WHERE worker_contacts >= 3) AS s_upc3, count(upc) FILTER (WHERE worker_contacts >= 3) AS n_upc3,
        sum(coc) FILTER (WHERE worker_contacts >= 3) AS s_coc3, count(coc) FILTER (WHERE worker_contacts >= 3) AS n_coc3,
        count(*) FILTER (WHERE lw_contacts >= 2) AS followed_up,
        count(*) FILTER (WHERE engaged) AS engaged_episodes,
        count(engaged) AS n_engaged,
        sum(handoffs) AS handoffs,
        sum(greatest(worker_contacts - 1, 0)) AS worker_pairs,
        sum(lw_contacts) AS contacts,
        sum(contacts_without_worker) AS contacts_without_worker,
        count(first_contact_event) AS km_referrals,
        count(*) FILTER (WHERE heaping_base) AS closed_contacted_episodes,
        -- counts at k − 1, k, k + 1 and above k, for the scheme's k and for ALL's k; the
        -- select below keeps the pair that matches the cell
        count(*) FILTER (WHERE heaping_base AND lw_contacts = cap_scheme) AS at_k_s,
        count(*) FILTER (WHERE heaping_base AND lw_contacts = cap_scheme - 1) AS below_k_s,
        count(*) FILTER (WHERE heaping_base AND lw_contacts = cap_scheme + 1) AS next_k_s,
        count(*) FILTER (WHERE heaping_base AND lw_contacts > cap_scheme) AS above_k_s,
        count(*) FILTER (WHERE heaping_base AND lw_contacts = cap_all) AS at_k_a,
        count(*) FILTER (WHERE heaping_base AND lw_contacts = cap_all - 1) AS below_k_a,
        count(*) FILTER (WHERE heaping_base AND lw_contacts = cap_all + 1) AS next_k_a,
        count(*) FILTER (WHERE heaping_base AND lw_contacts > cap_all) AS above_k_a,
        any_value(cap_scheme) AS cap_s,
        any_value(cap_source_scheme) AS cap_source_s,
        any_value(cap_all) AS cap_a,
        any_value(cap_source_all) AS cap_source_a,
        count(*) FILTER (WHERE rr90_window_passed) AS re_referral_eligible_90d,
        count(*) FILTER (WHERE rr90_window_passed AND re_referred_90d) AS re_referred_90d_episodes,
        count(*) FILTER (WHERE rr365_window_passed) AS re_referral_eligible_365d,
        count(*) FILTER (WHERE rr365_window_passed AND re_referred_365d) AS re_referred_365d_episodes,
        count(same_worker_retained) AS retention_eligible,
        count(*) FILTER (WHERE same_worker_retained) AS retained_episodes
    FROM e
    GROUP BY ALL
),
rolled AS (
    SELECT
        grouping(g_scheme) = 1 AS all_schemes,
        CASE WHEN grouping(g_scheme) = 1 THEN 'ALL' ELSE g_scheme END AS scheme_id,
        CASE WHEN grouping(g_period) = 1 THEN 'all' ELSE g_period END AS period,
        CASE WHEN grouping(g_quintile) = 1 THEN 'all' ELSE CAST(g_quintile AS VARCHAR) END AS stratum,
        CAST(sum(episodes) AS BIGINT) AS episodes,
        CAST(sum(contacted_episodes) AS BIGINT) AS contacted_episodes,
        CAST(sum(episodes_n2) AS BIGINT) AS episodes_n2,
        CAST(sum(episodes_n3) AS BIGINT) AS episodes_n3,
        sum(s_upc) AS s_upc, CAST(sum(n_upc) AS BIGINT) AS n_upc,
        sum(s_coc) AS s_coc, sum(ss_coc) AS ss_coc, CAST(sum(n_coc) AS BIGINT) AS n_coc,
        sum(s_secon) AS s_secon, CAST(sum(n_secon) AS BIGINT) AS n_secon,
        sum(s_hhi) AS s_hhi, CAST(sum(n_hhi) AS BIGINT) AS n_hhi,
        sum(s_mmci) AS s_mmci, CAST(sum(n_mmci) AS BIGINT) AS n_mmci,
        sum(s_upc3) AS s_upc3, CAST(sum(n_upc3) AS BIGINT) AS n_upc3,
        sum(s_coc3) AS s_coc3, CAST(sum(n_coc3) AS BIGINT) AS n_coc3,
        CAST(sum(followed_up) AS BIGINT) AS followed_up,
        CAST(sum(engaged_episodes) AS BIGINT) AS engaged_episodes,
        CAST(sum(n_engaged) AS BIGINT) AS n_engaged,
        sum(handoffs) AS handoffs,
        sum(worker_pairs) AS worker_pairs,
        sum(contacts) AS contacts,
        sum(contacts_without_worker) AS contacts_without_worker,
        CAST(sum(km_referrals) AS BIGINT) AS km_referrals,
        CAST(sum(closed_contacted_episodes) AS BIGINT) AS closed_contacted_episodes,
        CAST(sum(at_k_s) AS BIGINT) AS at_k_s, CAST(sum(below_k_s) AS BIGINT) AS below_k_s, CAST(sum(next_k_s) AS BIGINT) AS next_k_s, CAST(sum(above_k_s) AS BIGINT) AS above_k_s,
        CAST(sum(at_k_a) AS BIGINT) AS at_k_a, CAST(sum(below_k_a) AS BIGINT) AS below_k_a, CAST(sum(next_k_a) AS BIGINT) AS next_k_a, CAST(sum(above_k_a) AS BIGINT) AS above_k_a,
        any_value(cap_s) AS cap_s,
        any_value(cap_source_s) AS cap_source_s,
        any_value(cap_a) AS cap_a,
        any_value(cap_source_a) AS cap_source_a,
        CAST(sum(re_referral_eligible_90d) AS BIGINT) AS re_referral_eligible_90d,
        CAST(sum(re_referred_90d_episodes) AS BIGINT) AS re_referred_90d_episodes,
        CAST(sum(re_referral_eligible_365d) AS BIGINT) AS re_referral_eligible_365d,
        CAST(sum(re_referred_365d_episodes) AS BIGINT) AS re_referred_365d_episodes,
        CAST(sum(retention_eligible) AS BIGINT) AS retention_eligible,
        CAST(sum(retained_episodes) AS BIGINT) AS retained_episodes
    FROM fine
    GROUP BY CUBE (g_scheme, g_period, g_quintile)
    -- no row for empty cells (the grand total of no episodes), nor for 'no quintile'
    HAVING sum(episodes) > 0 AND (grouping(g_quintile) = 1 OR g_quintile IS NOT NULL)
),
cells AS (
    SELECT
        r.* EXCLUDE (s_upc, n_upc, s_coc, ss_coc, n_coc, s_secon, n_secon, s_hhi, n_hhi, s_mmci, n_mmci,
            s_upc3, n_upc3, s_coc3, n_coc3, followed_up, engaged_episodes, n_engaged),
        s_upc / nullif(n_upc, 0) AS mean_upc,
        s_coc / nullif(n_coc, 0) AS mean_coc,
        -- sample SD from the sums; greatest() absorbs rounding below zero
        CASE WHEN n_coc >= 2 THEN sqrt(greatest((ss_coc - s_coc * s_coc / n_coc) / (n_coc - 1), 0)) END AS sd_coc,
        s_secon / nullif(n_secon, 0) AS mean_secon,
        s_hhi / nullif(n_hhi, 0) AS mean_hhi,
        s_mmci / nullif(n_mmci, 0) AS mean_mmci,
        s_upc3 / nullif(n_upc3, 0) AS mean_upc_n3,
        s_coc3 / nullif(n_coc3, 0) AS mean_coc_n3,
        CAST(followed_up AS DOUBLE) / nullif(episodes, 0) AS followup_share,
        CAST(engaged_episodes AS DOUBLE) / nullif(n_engaged, 0) AS engaged_share
    FROM rolled r
),
heaping AS (
    SELECT
        c.*,
        CASE WHEN all_schemes THEN cap_a ELSE cap_s END AS cap,
        CASE WHEN all_schemes THEN cap_source_a ELSE cap_source_s END AS cap_source,
        CASE WHEN all_schemes THEN at_k_a ELSE at_k_s END AS n_k,
        CASE WHEN all_schemes THEN below_k_a ELSE below_k_s END AS n_below,
        CASE WHEN all_schemes THEN next_k_a ELSE next_k_s END AS n_next,
        CASE WHEN all_schemes THEN above_k_a ELSE above_k_s END AS n_above
    FROM cells c
),
shares AS (
    SELECT
        h.*,
        CASE WHEN cap IS NOT NULL THEN n_k / nullif(closed_contacted_episodes, 0) END AS cap_heaping_share,
        CASE WHEN cap IS NOT NULL THEN n_above / nullif(closed_contacted_episodes, 0) END AS share_above_cap,
        -- h = n_k / mean(n_{k−1}, n_{k+1}); undefined (NULL) when neither neighbour occurs
        CASE WHEN cap IS NOT NULL THEN n_k / nullif((n_below + n_next) / 2, 0) END AS heaping_ratio
    FROM heaping h
)
SELECT
    scheme_id,
    period,
    stratum,
    episodes,
    mean_upc,
    mean_coc,
    mean_secon,
    mean_hhi,
    mean_mmci,
    mean_upc_n3,
    mean_coc_n3,
    -- continuity_summary.sql fills in the Kaplan–Meier quantiles (int_continuity_km)
    CAST(NULL AS INTEGER) AS median_days_to_first_contact,
    CAST(NULL AS INTEGER) AS p90_days_to_first_contact,
    followup_share,
    engaged_share,
    handoffs / nullif(worker_pairs, 0) AS handoff_rate,
    contacts_without_worker / nullif(contacts, 0) AS missing_worker_share,
    cap,
    cap_heaping_share,
    share_above_cap,
    heaping_ratio,
    -- detected when h ≥ 2 (or h is infinite: contacts at k and none either side) and
    -- under 2% went beyond k; unknown when there is no k or no closed episode
    CASE WHEN cap IS NULL OR closed_contacted_episodes = 0 THEN NULL
         ELSE n_k > 0 AND coalesce(heaping_ratio >= 2, true) AND share_above_cap < 0.02
    END AS cap_heaping_detected,
    CAST(re_referred_90d_episodes AS DOUBLE) / nullif(re_referral_eligible_90d, 0) AS re_referral_rate_90d,
    CAST(re_referred_365d_episodes AS DOUBLE) / nullif(re_referral_eligible_365d, 0) AS re_referral_rate_365d,
    CAST(retained_episodes AS DOUBLE) / nullif(retention_eligible, 0) AS same_worker_retention,
    -- supporting columns
    cap_source,
    contacted_episodes,
    CAST(contacted_episodes AS DOUBLE) / episodes AS contacted_share,
    episodes_n2,
    episodes_n3,
    mean_coc - 1.959963984540054 * sd_coc / sqrt(episodes_n2) AS mean_coc_lower,
    mean_coc + 1.959963984540054 * sd_coc / sqrt(episodes_n2) AS mean_coc_upper,
    handoffs,
    worker_pairs,
    contacts,
    contacts_without_worker,
    km_referrals,
    closed_contacted_episodes,
    CASE WHEN cap IS NOT NULL THEN n_below END AS episodes_at_cap_minus_1,
    CASE WHEN cap IS NOT NULL THEN n_k END AS episodes_at_cap,
    CASE WHEN cap IS NOT NULL THEN n_next END AS episodes_at_cap_plus_1,
    CASE WHEN cap IS NOT NULL THEN n_above END AS episodes_above_cap,
    re_referral_eligible_90d,
    re_referred_90d_episodes,
    re_referral_eligible_365d,
    re_referred_365d_episodes,
    retention_eligible,
    retained_episodes
FROM shares
ORDER BY scheme_id, period, stratum
