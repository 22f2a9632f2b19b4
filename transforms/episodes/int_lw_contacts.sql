-- kind: temp
-- reads: scoped_attendances
-- The one link-worker contact definition (design §3.2): an attended link_worker
-- attendance of any mode, counted once per (referral, date, worker), or once per
-- (referral, date) when it has no worker_id. seq orders contacts by (date, attendance_id).
-- Built for the referrals whose facts this run recomputes (scoped_attendances: all of
-- them on a full build); referral_facts is what the marts read.
WITH attended AS (
    SELECT a.referral_id, a.attendance_date, nullif(trim(a.worker_id), '') AS worker_id, a.attendance_id
    FROM scoped_attendances a
    WHERE a.setting = 'link_worker' AND a.status = 'attended'
),
dedup AS (
    SELECT referral_id, attendance_date, worker_id, min(attendance_id) AS attendance_id
    FROM attended
    GROUP BY referral_id, attendance_date, worker_id
)
SELECT
    referral_id,
    attendance_date,
    worker_id,
    attendance_id,
    row_number() OVER (PARTITION BY referral_id ORDER BY attendance_date, attendance_id) AS seq
FROM dedup
