-- One row per referral (episode) with its link-worker continuity (design §5), time to
-- first contact, closure and re-referral, from int_referrals and referral_facts (contacts
-- by the one contact definition, int_lw_contacts; see referral_facts.go) and data_end. The
-- continuity indices use only contacts with a worker_id and are NULL below 2 of them.
-- closed_at_cap compares the session count with the scheme's k (int_continuity_caps,
-- built just before from the same episode_closed definition).
--
-- episode_referrals are the referrals whose rows are built, episode_history those that can
-- be their re-referrals: both int_referrals on a full build, and on a nightly build the
-- candidates for change and their people's referrals (episode_metrics.go).
--
-- Built straight into the persistent mart, which the other continuity models then read:
-- a temp copy first cost a second write of every row.
-- base is inlined where it is used (NOT MATERIALIZED): the re-referral match needs four
-- of its columns for repeat referrers only, and a materialised copy of every episode
-- spilled at millions of referrals.
WITH base AS NOT MATERIALIZED (
    SELECT
        r.referral_id, r.person_id, r.scheme_id, r.practice_code, r.referral_source,
        r.referral_date, r.period, r.imd_decile, r.imd_quintile, r.outcome, r.closed_date,
        coalesce(f.lw_contacts, 0) AS lw_contacts,
        coalesce(f.worker_contacts, 0) AS worker_contacts,
        coalesce(f.lw_contacts - f.worker_contacts, 0) AS contacts_without_worker,
        coalesce(f.workers, 0) AS workers,
        coalesce(f.pairs, 0) AS pairs,
        coalesce(f.same_pairs, 0) AS same_pairs,
        f.max_n, f.sum_sq,
        f.first_contact_date, f.last_contact_date, f.first_worker, f.last_worker,
        f.gap_median_days, f.gap_max_days,
        coalesce(f.lw_dna, 0) AS lw_dna,
        coalesce(f.lw_booked, 0) AS lw_booked,
        coalesce(f.vcs_uptake, false) AS vcs_uptake,
        -- an episode ends at its last contact, or at closure when it had none
        coalesce(f.last_contact_date, r.closed_date) AS end_date,
        -- a re-referral comes after the episode ended and after its own referral date
        greatest(coalesce(f.last_contact_date, r.closed_date), r.referral_date) AS rereferral_after,
        -- closed: recorded as closed, or dormant (see the episode_closed macro)
        episode_closed(r.outcome, r.closed_date, f.last_contact_date, r.referral_date) AS closed
    FROM episode_referrals r
    LEFT JOIN referral_facts f USING (referral_id)
),
-- one candidate per person, scheme and day, so the re-referral match is deterministic
later_referrals AS (
    SELECT person_id, scheme_id, referral_date, min(referral_id) AS referral_id
    FROM episode_history
    GROUP BY person_id, scheme_id, referral_date
),
-- only people referred to the same scheme on two or more days can be re-referred; the
-- ASOF JOIN over everyone was a large part of this model's time
repeat_people AS (
    SELECT person_id, scheme_id FROM later_referrals GROUP BY person_id, scheme_id HAVING count(*) > 1
),
-- the possible next referrals with their first worker (for retention), joined here over
-- repeat referrers rather than over every episode afterwards
candidates AS (
    SELECT l.person_id, l.scheme_id, l.referral_date, l.referral_id, f.first_worker
    FROM (SELECT * FROM later_referrals SEMI JOIN repeat_people USING (person_id, scheme_id)) l
    LEFT JOIN referral_facts f USING (referral_id)
),
next_referral AS (
    SELECT b.referral_id, n.referral_id AS next_referral_id, n.referral_date AS next_referral_date,
        n.first_worker AS next_first_worker
    FROM (SELECT * FROM base SEMI JOIN repeat_people USING (person_id, scheme_id)) b
    -- the first referral of the same person to the same scheme strictly after the
    -- episode ended (and after its own referral date, so it never matches itself)
    ASOF JOIN candidates n
      ON n.person_id = b.person_id AND n.scheme_id = b.scheme_id
     AND n.referral_date > b.rereferral_after
)
SELECT
    b.referral_id,
    b.scheme_id,
    b.period,
    b.imd_decile,
    b.imd_quintile,
    b.lw_contacts >= 1 AS contacted,
    b.lw_contacts >= getvariable('engaged_min_contacts') AS engaged,
    b.vcs_uptake,
    b.lw_contacts,
    b.workers,
    CAST(CASE WHEN b.worker_contacts >= 2 THEN b.max_n / b.worker_contacts END AS DOUBLE) AS upc,
    CAST(CASE WHEN b.worker_contacts >= 2
         THEN (b.sum_sq - b.worker_contacts) / (b.worker_contacts * (b.worker_contacts - 1)) END AS DOUBLE) AS coc,
    CAST(CASE WHEN b.worker_contacts >= 2 THEN b.same_pairs / (b.worker_contacts - 1) END AS DOUBLE) AS secon,
    CAST(CASE WHEN b.worker_contacts >= 1 THEN b.sum_sq / (b.worker_contacts * b.worker_contacts) END AS DOUBLE) AS hhi,
    CAST(CASE WHEN b.worker_contacts >= 2
         THEN (b.worker_contacts - b.workers + 0.1) / (b.worker_contacts - 0.9) END AS DOUBLE) AS mmci,
    b.pairs - b.same_pairs AS handoffs,
    -- time to first contact as a time-to-event: referrals after data_end are not yet at
    -- risk; a contact after data_end is not yet observed
    CASE
        WHEN b.referral_date > getvariable('data_end') THEN NULL
        WHEN b.first_contact_date <= getvariable('data_end') THEN b.first_contact_date - b.referral_date
        -- closed without contact (declined, not contactable): censored at closure
        WHEN b.closed_date IS NOT NULL
            THEN greatest(least(b.closed_date, getvariable('data_end')) - b.referral_date, 0)
        ELSE getvariable('data_end') - b.referral_date
    END AS days_to_first_contact,
    CASE WHEN b.referral_date <= getvariable('data_end')
         THEN b.first_contact_date IS NOT NULL AND b.first_contact_date <= getvariable('data_end') END AS first_contact_event,
    b.last_contact_date - b.first_contact_date AS episode_days,
    CASE WHEN c.cap IS NOT NULL THEN b.closed AND b.lw_contacts = c.cap END AS closed_at_cap,
    -- re-referral within the window: TRUE once seen; FALSE only when the whole window
    -- lies before data_end; otherwise not yet known
    CASE
        WHEN b.end_date IS NULL THEN NULL
        WHEN n.next_referral_date <= b.end_date + 90 THEN true
        WHEN b.end_date + 90 <= getvariable('data_end') THEN false
    END AS re_referred_90d,
    CASE
        WHEN b.end_date IS NULL THEN NULL
        WHEN n.next_referral_date <= b.end_date + 365 THEN true
        WHEN b.end_date + 365 <= getvariable('data_end') THEN false
    END AS re_referred_365d,
    -- retention across a re-referral within 365 days: was the new episode's first
    -- worker the old episode's last?
    CASE WHEN n.next_referral_date <= b.end_date + 365
         THEN b.last_worker = n.next_first_worker END AS same_worker_retained,
    -- supporting columns
    b.practice_code,
    b.referral_source,
    b.referral_date,
    b.worker_contacts,
    b.contacts_without_worker,
    b.first_contact_date,
    b.last_contact_date,
    b.gap_median_days,
    b.gap_max_days,
    CAST(b.lw_dna AS DOUBLE) / nullif(b.lw_booked, 0) AS dna_rate,
    b.closed,
    b.end_date,
    n.next_referral_id
FROM base b
LEFT JOIN next_referral n USING (referral_id)
LEFT JOIN int_continuity_caps c ON c.scheme_id = b.scheme_id
