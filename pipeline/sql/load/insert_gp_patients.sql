-- The good staged registrations into the core table (design §3.7).
-- Parameters: source, file_id.
INSERT INTO gp_patients (person_id, practice_code, registered_from, registered_to, lsoa_code, sex, age, birth_month,
    ethnic_category, ethnicity_code, registration_key, source, source_file_id, source_line)
SELECT person_id, practice_code, registered_from, registered_to, lsoa_code, sex, age, birth_month, ethnic_category,
    ethnicity_code, registration_key, ?, ?, _line
FROM good
