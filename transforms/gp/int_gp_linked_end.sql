-- kind: temp
-- reads: gp_events, referrals, attendances
-- Where the linkage measures' windows must end (design §12): a window counts only when
-- it closes on or before data_end and both sources' own latest dates (the GP events' and
-- the platform's referrals and attendances'), so a source that stops earlier cannot
-- read as a referral missing from it.
SELECT least(
    CAST(getvariable('data_end') AS DATE),
    (SELECT max(event_date) FROM gp_events),
    greatest((SELECT max(referral_date) FROM referrals), (SELECT max(attendance_date) FROM attendances))
) AS linked_end
