-- A timeline's rows into the core tables, with two IoD2019 areas: E01000001 in decile 1
-- (quintile 1) and E01000002 in decile 5 (quintile 3).
INSERT INTO referrals (referral_id, person_id, scheme_id, practice_code, referral_date, referral_source, outcome,
    closed_date, lsoa_code)
SELECT * FROM fx_ref;

INSERT INTO attendances (attendance_id, referral_id, attendance_date, setting, status, worker_id)
SELECT * FROM fx_att;

INSERT INTO deprivation (edition, lsoa_code, lsoa_vintage, imd_rank, imd_decile, imd_quintile)
VALUES ('IoD2019', 'E01000001', 2011, 100, 1, 1), ('IoD2019', 'E01000002', 2011, 15000, 5, 3);
