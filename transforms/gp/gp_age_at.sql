-- kind: macro
-- gp_age_at is a registered patient's age on day d: in whole months from the first of
-- the birth month when it is known, else the age as the list gives it.
CREATE OR REPLACE TEMP MACRO gp_age_at(born, age, d) AS CASE
    WHEN born IS NULL THEN age
    ELSE CAST(floor(((year(d) * 12 + month(d)) - (year(born) * 12 + month(born))) / 12) AS INTEGER)
    END
