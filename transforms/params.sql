-- The parameter relations and macros every model may use (set up by Prepare before any
-- model is built; the runner's given relations): the configured schemes, filled in from
-- Params, and the reporting period of a date for the configured period
-- (getvariable('period')).
CREATE OR REPLACE TEMP TABLE cfg_schemes (scheme_id VARCHAR, name VARCHAR, session_cap INTEGER);
CREATE OR REPLACE TEMP TABLE cfg_scheme_practices (scheme_id VARCHAR, practice_code VARCHAR);

-- period_key maps a date to its reporting period label.
CREATE OR REPLACE TEMP MACRO period_key(d) AS CASE getvariable('period')
    WHEN 'month' THEN strftime(d, '%Y-%m')
    WHEN 'quarter' THEN strftime(d, '%Y') || '-Q' || CAST(quarter(d) AS VARCHAR)
    WHEN 'year' THEN strftime(d, '%Y')
    ELSE 'FY' || CAST(year(d) - CASE WHEN month(d) < 4 THEN 1 ELSE 0 END AS VARCHAR) || '-' ||
         right(CAST(year(d) - CASE WHEN month(d) < 4 THEN 1 ELSE 0 END + 1 AS VARCHAR), 2)
    END;

-- period_start and period_end give the first and last day of d's reporting period.
CREATE OR REPLACE TEMP MACRO period_start(d) AS CASE getvariable('period')
    WHEN 'month' THEN CAST(date_trunc('month', d) AS DATE)
    WHEN 'quarter' THEN CAST(date_trunc('quarter', d) AS DATE)
    WHEN 'year' THEN CAST(date_trunc('year', d) AS DATE)
    ELSE make_date(year(d) - CASE WHEN month(d) < 4 THEN 1 ELSE 0 END, 4, 1)
    END;

CREATE OR REPLACE TEMP MACRO period_end(d) AS CAST(period_start(d) + CASE getvariable('period')
    WHEN 'month' THEN INTERVAL 1 MONTH
    WHEN 'quarter' THEN INTERVAL 3 MONTH
    ELSE INTERVAL 1 YEAR
    END AS DATE) - 1;

-- sex_group names a referral's sex code for the strata.
CREATE OR REPLACE TEMP MACRO sex_group(s) AS
    CASE upper(trim(s)) WHEN 'F' THEN 'female' WHEN 'M' THEN 'male' WHEN 'I' THEN 'indeterminate' ELSE 'unknown' END;

-- age_band names an age in years as the strata band it, unknown when NULL.
CREATE OR REPLACE TEMP MACRO age_band(age) AS CASE
    WHEN age IS NULL THEN 'unknown'
    WHEN age < 18 THEN '0-17'
    WHEN age < 25 THEN '18-24'
    WHEN age < 35 THEN '25-34'
    WHEN age < 45 THEN '35-44'
    WHEN age < 55 THEN '45-54'
    WHEN age < 65 THEN '55-64'
    WHEN age < 75 THEN '65-74'
    WHEN age < 85 THEN '75-84'
    ELSE '85+'
    END;

-- ethnic_group maps an NHS ethnic category (A–Z) to the 5+1 groups.
CREATE OR REPLACE TEMP MACRO ethnic_group(c) AS CASE
    WHEN c IN ('A', 'B', 'C') THEN 'white'
    WHEN c IN ('D', 'E', 'F', 'G') THEN 'mixed'
    WHEN c IN ('H', 'J', 'K', 'L') THEN 'asian'
    WHEN c IN ('M', 'N', 'P') THEN 'black'
    WHEN c IN ('R', 'S') THEN 'other'
    ELSE 'not_stated'
    END;

-- stratum_order places a stratum in its dimension's reading order (IMD strata by their
-- number, 1 = most deprived; the rest as the design lists them, unknown last).
CREATE OR REPLACE TEMP MACRO stratum_order(dimension, stratum) AS CASE dimension
    WHEN 'imd_quintile' THEN TRY_CAST(stratum AS INTEGER)
    WHEN 'imd_decile' THEN TRY_CAST(stratum AS INTEGER)
    WHEN 'age_band' THEN CASE stratum WHEN '0-17' THEN 1 WHEN '18-24' THEN 2 WHEN '25-34' THEN 3
        WHEN '35-44' THEN 4 WHEN '45-54' THEN 5 WHEN '55-64' THEN 6 WHEN '65-74' THEN 7
        WHEN '75-84' THEN 8 WHEN '85+' THEN 9 ELSE 10 END
    WHEN 'sex' THEN CASE stratum WHEN 'female' THEN 1 WHEN 'male' THEN 2 WHEN 'indeterminate' THEN 3 ELSE 4 END
    ELSE CASE stratum WHEN 'white' THEN 1 WHEN 'mixed' THEN 2 WHEN 'asian' THEN 3 WHEN 'black' THEN 4
        WHEN 'other' THEN 5 ELSE 6 END
    END;
