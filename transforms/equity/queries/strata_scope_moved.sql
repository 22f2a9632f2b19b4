-- A nightly equity_strata build counts only what moved since the last build (see
-- strata_plan.go): getvariable('strata_watermark') is the ingested-file watermark the
-- last facts build covered, getvariable('strata_prev_end') the last build's data_end.

-- referrals loaded since, and the people they are of: reach is counted again for them
CREATE OR REPLACE TEMP TABLE strata_new_referrals AS
SELECT referral_id FROM referrals WHERE source_file_id > getvariable('strata_watermark');

CREATE OR REPLACE TEMP TABLE strata_touched_people AS
SELECT DISTINCT person_id
FROM referrals SEMI JOIN strata_new_referrals USING (referral_id)
WHERE person_id IS NOT NULL;

-- a referral's pathway flags move when its facts were recomputed, or when one of its
-- windows ended between the last data_end and this one
CREATE OR REPLACE TEMP TABLE strata_delta_referrals AS
SELECT referral_id, referral_id IN (SELECT referral_id FROM facts_scope) AS in_scope
FROM referrals
WHERE referral_id IN (SELECT referral_id FROM facts_scope)
   OR (referral_date + CAST(getvariable('window_contacted') AS INTEGER) > getvariable('strata_prev_end')
       AND referral_date + CAST(getvariable('window_contacted') AS INTEGER) <= getvariable('data_end'))
   OR (referral_date + CAST(getvariable('window_engaged') AS INTEGER) > getvariable('strata_prev_end')
       AND referral_date + CAST(getvariable('window_engaged') AS INTEGER) <= getvariable('data_end'))
   OR (referral_date + CAST(getvariable('window_vcs_uptake') AS INTEGER) > getvariable('strata_prev_end')
       AND referral_date + CAST(getvariable('window_vcs_uptake') AS INTEGER) <= getvariable('data_end'))
   OR (referral_date + CAST(getvariable('window_dna') AS INTEGER) > getvariable('strata_prev_end')
       AND referral_date + CAST(getvariable('window_dna') AS INTEGER) <= getvariable('data_end'));

-- the last build's reach counts, and its pathway counts one row per scheme × period ×
-- stratum, as agg in int_equity_strata.sql has them
CREATE OR REPLACE TEMP TABLE strata_reach_prior AS
SELECT scheme_id, period, dimension, stratum, numerator
FROM equity_strata
WHERE measure = 'reach' AND numerator <> 0;

CREATE OR REPLACE TEMP TABLE strata_pathway_prior AS
SELECT
    scheme_id, period, dimension, stratum,
    sum(denominator) FILTER (WHERE measure = 'contacted') AS contacted_den,
    sum(numerator) FILTER (WHERE measure = 'contacted') AS contacted_num,
    sum(immature) FILTER (WHERE measure = 'contacted') AS contacted_imm,
    sum(denominator) FILTER (WHERE measure = 'engaged') AS engaged_den,
    sum(numerator) FILTER (WHERE measure = 'engaged') AS engaged_num,
    sum(immature) FILTER (WHERE measure = 'engaged') AS engaged_imm,
    sum(denominator) FILTER (WHERE measure = 'vcs_uptake') AS vcs_den,
    sum(numerator) FILTER (WHERE measure = 'vcs_uptake') AS vcs_num,
    sum(immature) FILTER (WHERE measure = 'vcs_uptake') AS vcs_imm,
    sum(denominator) FILTER (WHERE measure = 'dna') AS dna_den,
    sum(numerator) FILTER (WHERE measure = 'dna') AS dna_num,
    sum(immature) FILTER (WHERE measure = 'dna') AS dna_imm
FROM equity_strata
WHERE measure IN ('contacted', 'engaged', 'vcs_uptake', 'dna')
GROUP BY ALL;
