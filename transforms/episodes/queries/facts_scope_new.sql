-- An incremental build's scope over facts_scope_rows. facts_scope is a view in both
-- kinds of build, so a connection that serves several runs never meets a table where it
-- expects a view. scoped_attendances carries only the columns the facts read (those
-- attendances_checksum.sql covers); a view, read by int_lw_contacts and the facts:
-- writing the scope's attendances to a table cost more than reading them twice.
CREATE OR REPLACE TEMP VIEW facts_scope AS
SELECT * FROM facts_scope_rows;

CREATE OR REPLACE TEMP VIEW scoped_attendances AS
SELECT referral_id, attendance_id, attendance_date, setting, status, worker_id
FROM attendances
WHERE referral_id IN (SELECT referral_id FROM facts_scope);
