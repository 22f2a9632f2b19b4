-- The good staged attendances into the core table.
-- Parameters: source, file_id.
INSERT INTO attendances (attendance_id, referral_id, attendance_date, setting, status, worker_id, provider_id,
    activity_category, mode, person_id, source, source_file_id, source_line)
SELECT attendance_id, referral_id, attendance_date, setting, status, worker_id, provider_id, activity_category, mode,
    person_id, ?, ?, _line
FROM good
