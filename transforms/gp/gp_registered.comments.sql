-- Documentation of gp_registered and its columns.
COMMENT ON TABLE gp_registered IS 'The registered list behind the GP rates (design §12), folded: people registered at each complete period''s mid-point (and at the mid-point of their span, period all) per scheme (ALL for every practice on the list, and each scheme whose configured practices list the practice) × practice × stratum. A person with two registrations over a mid-point counts once, at the later. Kept between runs; rebuilt when the registered list, the periods, the deprivation edition, the LSOA lookup, the ethnicity codelist, the schemes'' practices or its SQL change (transform_state).';
COMMENT ON COLUMN gp_registered.scheme_id IS 'ALL, or a scheme whose configured practices list practice_code.';
COMMENT ON COLUMN gp_registered.period IS 'A complete reporting period (its last day on or before data_end) from the first GP event''s, or all.';
COMMENT ON COLUMN gp_registered.practice_code IS 'Practice of the registration, upper case.';
COMMENT ON COLUMN gp_registered.imd_rank IS 'National IMD rank of the patient''s LSOA in the configured edition (1 = most deprived); NULL when it has none.';
COMMENT ON COLUMN gp_registered.imd_decile IS 'National IMD decile of the patient''s LSOA; NULL when it has none.';
COMMENT ON COLUMN gp_registered.imd_quintile IS 'National IMD quintile of the patient''s LSOA; NULL when it has none.';
COMMENT ON COLUMN gp_registered.lsoa_status IS 'matched | mapped | missing | not_england | ambiguous_mapping | unknown_code, as for the referrals.';
COMMENT ON COLUMN gp_registered.age_band IS 'Age at the period''s mid-point (whole months from the first of the birth month, else the age as listed), banded; unknown when neither is recorded.';
COMMENT ON COLUMN gp_registered.sex IS 'female | male | indeterminate | unknown.';
COMMENT ON COLUMN gp_registered.ethnic_group IS 'white | mixed | asian | black | other | not_stated, from ethnic_category, else ethnicity_code through the ethnicity codelist.';
COMMENT ON COLUMN gp_registered.patients IS 'People registered at the mid-point.';
