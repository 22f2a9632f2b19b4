-- Documentation of gp_registrations and its columns.
COMMENT ON TABLE gp_registrations IS 'The registered list (gp_patients) with the strata the GP measures use worked out once per registration (design §3.7, §12): kept between runs, rebuilt when the list, the deprivation edition, the LSOA lookup or the ethnicity codelist change (transform_state). Pseudonymised person level, as gp_patients.';
COMMENT ON COLUMN gp_registrations.person_id IS 'Pseudonymised person, as in gp_patients.';
COMMENT ON COLUMN gp_registrations.practice_code IS 'Practice of the registration, upper case.';
COMMENT ON COLUMN gp_registrations.registered_from IS 'First day of the registration.';
COMMENT ON COLUMN gp_registrations.registered_to IS 'Last day of the registration; NULL while it is open.';
COMMENT ON COLUMN gp_registrations.imd_rank IS 'National IMD rank of the patient''s LSOA in the configured edition (1 = most deprived); NULL when it has none.';
COMMENT ON COLUMN gp_registrations.imd_decile IS 'National IMD decile of the patient''s LSOA; NULL when it has none.';
COMMENT ON COLUMN gp_registrations.imd_quintile IS 'National IMD quintile of the patient''s LSOA; NULL when it has none.';
COMMENT ON COLUMN gp_registrations.lsoa_status IS 'matched | mapped | missing | not_england | ambiguous_mapping | unknown_code, as for the referrals.';
COMMENT ON COLUMN gp_registrations.sex IS 'female | male | indeterminate | unknown.';
COMMENT ON COLUMN gp_registrations.age IS 'Age as the list gives it (used when there is no birth month).';
COMMENT ON COLUMN gp_registrations.born IS 'First day of the birth month; ages are counted from it in whole months.';
COMMENT ON COLUMN gp_registrations.ethnic_group IS 'white | mixed | asian | black | other | not_stated, from ethnic_category, else ethnicity_code through the ethnicity codelist.';
COMMENT ON COLUMN gp_registrations.person_registrations IS 'Registrations of the person on the list (readers look one by one only at people with more than one).';
