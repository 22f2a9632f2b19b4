-- A full build's scope: every referral, and the attendance columns the facts read (those
-- attendances_checksum.sql covers).
CREATE OR REPLACE TEMP VIEW facts_scope AS
SELECT referral_id, referral_date FROM referrals;

CREATE OR REPLACE TEMP VIEW scoped_attendances AS
SELECT referral_id, attendance_id, attendance_date, setting, status, worker_id FROM attendances;
