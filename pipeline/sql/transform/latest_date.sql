-- The latest referral or attendance date loaded: data_end unless configured. With no
-- platform rows (GP-only use, design §12), the latest GP event date.
SELECT coalesce(
    greatest(
        (SELECT max(referral_date) FROM referrals),
        (SELECT max(attendance_date) FROM attendances)),
    (SELECT max(event_date) FROM gp_events))
