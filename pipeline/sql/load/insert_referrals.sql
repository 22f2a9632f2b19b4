-- The good staged referrals into the core table. Age comes from the extract, else from
-- the birth month at the referral (the 15th standing for the unknown day).
-- Parameters: source, file_id.
INSERT INTO referrals (referral_id, person_id, scheme_id, practice_code, referral_date, referral_source,
    referral_reason, outcome, closed_date, lsoa_code, sex, age, birth_month, ethnic_category, source,
    source_file_id, source_line)
SELECT referral_id, person_id, scheme_id, practice_code, referral_date, referral_source, referral_reason, outcome,
    closed_date, lsoa_code, sex,
    coalesce(CAST(age AS INTEGER), CASE WHEN birth_month IS NOT NULL THEN
        CAST(floor(date_diff('month', CAST(strptime(birth_month || '-15', '%Y-%m-%d') AS DATE), referral_date) / 12) AS INTEGER) END),
    birth_month, ethnic_category, ?, ?, _line
FROM good
