-- Where a timeline's referrals and attendances are staged (by InsertRows, which writes
-- every column) before timeline_load.sql moves them into the core tables.
CREATE TEMP TABLE fx_ref (referral_id VARCHAR, person_id VARCHAR, scheme_id VARCHAR, practice_code VARCHAR,
    referral_date DATE, referral_source VARCHAR, outcome VARCHAR, closed_date DATE, lsoa_code VARCHAR);

CREATE TEMP TABLE fx_att (attendance_id VARCHAR, referral_id VARCHAR, attendance_date DATE, setting VARCHAR,
    status VARCHAR, worker_id VARCHAR);
