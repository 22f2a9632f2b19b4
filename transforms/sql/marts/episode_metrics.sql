-- One row per referral (episode) with its link-worker continuity (design §5). Built from
-- int_episode_metrics, which applies the one contact definition (int_lw_contacts); the
-- continuity indices use only contacts with a worker_id and are NULL below 2 of them.
-- closed_at_cap compares the session count with the scheme's k (int_continuity_caps).
SELECT
    e.referral_id,
    e.scheme_id,
    e.period,
    e.imd_decile,
    e.imd_quintile,
    e.contacted,
    e.engaged,
    e.vcs_uptake,
    e.lw_contacts,
    e.workers,
    CAST(e.upc AS DOUBLE) AS upc,
    CAST(e.coc AS DOUBLE) AS coc,
    CAST(e.secon AS DOUBLE) AS secon,
    CAST(e.hhi AS DOUBLE) AS hhi,
    CAST(e.mmci AS DOUBLE) AS mmci,
    e.handoffs,
    e.days_to_first_contact,
    e.first_contact_event,
    e.episode_days,
    CASE WHEN c.cap IS NOT NULL THEN e.closed AND e.lw_contacts = c.cap END AS closed_at_cap,
    e.re_referred_90d,
    e.re_referred_365d,
    e.same_worker_retained,
    -- supporting columns
    e.practice_code,
    e.referral_source,
    e.referral_date,
    e.worker_contacts,
    e.contacts_without_worker,
    e.first_contact_date,
    e.last_contact_date,
    e.gap_median_days,
    e.gap_max_days,
    e.dna_rate,
    e.closed,
    e.end_date,
    e.next_referral_id
FROM int_episode_metrics e
LEFT JOIN int_continuity_caps c ON c.scheme_id = e.scheme_id
