-- facts_bookings: per referral of facts_scope, what referral_facts takes from its
-- bookings of any status — link-worker DNAs and bookings, VCS uptake, and the equity
-- windows' flags — counted once for the whole scope before referral_facts runs in
-- batches (referral_facts.go): a batch would otherwise read every attendance again. Plain sums
-- and flags hold little per referral, so one pass fits the memory limit at any scale.
SELECT
    a.referral_id,
    count(*) FILTER (WHERE a.setting = 'link_worker' AND a.status = 'dna') AS lw_dna,
    count(*) FILTER (WHERE a.setting = 'link_worker' AND a.status IN ('attended', 'dna')) AS lw_booked,
    bool_or(a.setting = 'vcs' AND a.status = 'attended') AS vcs_uptake,
    -- equity: VCS sessions attended, link-worker bookings (any status) and DNAs inside
    -- windows
    bool_or(a.setting = 'vcs' AND a.status = 'attended' AND a.attendance_date BETWEEN s.referral_date
        AND s.referral_date + CAST(getvariable('window_vcs_uptake') AS INTEGER)) AS vcs_in_window,
    bool_or(a.setting = 'link_worker' AND a.attendance_date BETWEEN s.referral_date
        AND s.referral_date + CAST(getvariable('window_dna') AS INTEGER)) AS lw_booked_in_window,
    bool_or(a.setting = 'link_worker' AND a.status = 'dna' AND a.attendance_date BETWEEN s.referral_date
        AND s.referral_date + CAST(getvariable('window_dna') AS INTEGER)) AS lw_dna_in_window
FROM scoped_attendances a
JOIN facts_scope s USING (referral_id)
GROUP BY a.referral_id
