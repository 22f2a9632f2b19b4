-- referral_facts, run by the referral_facts Go model (referral_facts.go): one row per
-- referral in facts_batch (facts_scope, or a slice of it when it is large;
-- facts_batch_contacts are its contacts) with everything the continuity and equity marts
-- need from its attendances. Nothing here depends on data_end, so a row stays right until
-- the referral or its attendances change; facts_scope.go plans to rebuild only the rows
-- of referrals whose rows changed (all of them when anything old changed).
--
-- Contacts come from int_lw_contacts, the one contact definition; the continuity indices
-- use the subset with a worker. The equity windows run from the referral date. What the
-- bookings give (DNAs, VCS uptake) is counted once for the whole scope, in
-- facts_bookings.sql, not once a batch: each batch would read every attendance again.
WITH contacts AS (
    SELECT
        referral_id,
        attendance_date,
        worker_id,
        seq,
        -- SECON and hand-offs compare a contact with the previous contact that had a
        -- worker: contacts without one are outside the indices, not breaks in the chain.
        CASE WHEN worker_id IS NOT NULL
             THEN lag(worker_id IGNORE NULLS) OVER (PARTITION BY referral_id ORDER BY seq) END AS prev_worker,
        attendance_date - lag(attendance_date) OVER (PARTITION BY referral_id ORDER BY seq) AS gap_days
    FROM facts_batch_contacts
),
per_referral AS (
    SELECT
        c.referral_id,
        count(*) AS lw_contacts,
        count(c.worker_id) AS worker_contacts,
        count(*) FILTER (WHERE c.prev_worker = c.worker_id) AS same_pairs,
        count(c.prev_worker) AS pairs,
        min(c.attendance_date) AS first_contact_date,
        max(c.attendance_date) AS last_contact_date,
        arg_min(c.worker_id, c.seq) FILTER (WHERE c.worker_id IS NOT NULL) AS first_worker,
        arg_max(c.worker_id, c.seq) FILTER (WHERE c.worker_id IS NOT NULL) AS last_worker,
        -- gaps between successive contact days: two workers seen the same day is one visit
        median(c.gap_days) FILTER (WHERE c.gap_days > 0) AS gap_median_days,
        max(c.gap_days) FILTER (WHERE c.gap_days > 0) AS gap_max_days,
        -- equity: contacts inside each window from the referral date
        count(*) FILTER (WHERE c.attendance_date BETWEEN s.referral_date
            AND s.referral_date + CAST(getvariable('window_contacted') AS INTEGER)) AS contacts_in_contacted_window,
        count(*) FILTER (WHERE c.attendance_date BETWEEN s.referral_date
            AND s.referral_date + CAST(getvariable('window_engaged') AS INTEGER)) AS contacts_in_engaged_window
    FROM contacts c
    JOIN facts_batch s USING (referral_id)
    GROUP BY c.referral_id
),
per_worker AS (
    SELECT referral_id, count(*) AS n
    FROM facts_batch_contacts
    WHERE worker_id IS NOT NULL
    GROUP BY referral_id, worker_id
),
concentration AS (
    -- sum() of a BIGINT is a HUGEINT, which DuckDB reads back from storage several times
    -- more slowly than a BIGINT; a referral's sum of squared contact counts fits a BIGINT
    -- many times over
    SELECT referral_id, count(*) AS workers, max(n) AS max_n, CAST(sum(n * n) AS BIGINT) AS sum_sq
    FROM per_worker
    GROUP BY referral_id
)
SELECT
    s.referral_id,
    coalesce(p.lw_contacts, 0) AS lw_contacts,
    coalesce(p.worker_contacts, 0) AS worker_contacts,
    coalesce(p.same_pairs, 0) AS same_pairs,
    coalesce(p.pairs, 0) AS pairs,
    p.first_contact_date,
    p.last_contact_date,
    p.first_worker,
    p.last_worker,
    p.gap_median_days,
    p.gap_max_days,
    coalesce(k.workers, 0) AS workers,
    k.max_n,
    k.sum_sq,
    coalesce(b.lw_dna, 0) AS lw_dna,
    coalesce(b.lw_booked, 0) AS lw_booked,
    coalesce(b.vcs_uptake, false) AS vcs_uptake,
    coalesce(p.contacts_in_contacted_window, 0) AS contacts_in_contacted_window,
    coalesce(p.contacts_in_engaged_window, 0) AS contacts_in_engaged_window,
    coalesce(b.vcs_in_window, false) AS vcs_in_window,
    coalesce(b.lw_booked_in_window, false) AS lw_booked_in_window,
    coalesce(b.lw_dna_in_window, false) AS lw_dna_in_window
FROM facts_batch s
LEFT JOIN per_referral p USING (referral_id)
LEFT JOIN concentration k USING (referral_id)
LEFT JOIN facts_bookings b USING (referral_id)
