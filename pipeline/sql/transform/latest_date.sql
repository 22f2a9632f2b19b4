-- The latest referral or attendance date loaded: data_end unless configured.
SELECT greatest(
    (SELECT max(referral_date) FROM referrals),
    (SELECT max(attendance_date) FROM attendances))
