-- A full equity_strata build counts every referral from no prior counts: the scope
-- relations int_equity_strata.sql reads, empty.
CREATE OR REPLACE TEMP TABLE strata_new_referrals AS
SELECT referral_id FROM referrals WHERE false;

CREATE OR REPLACE TEMP TABLE strata_touched_people AS
SELECT person_id FROM referrals WHERE false;

CREATE OR REPLACE TEMP TABLE strata_delta_referrals AS
SELECT referral_id, true AS in_scope FROM referrals WHERE false;

CREATE OR REPLACE TEMP TABLE strata_reach_prior AS
SELECT scheme_id, period, dimension, stratum, numerator
FROM (SELECT NULL::VARCHAR AS scheme_id, NULL::VARCHAR AS period, NULL::VARCHAR AS dimension, NULL::VARCHAR AS stratum,
    NULL::BIGINT AS numerator)
WHERE false;

CREATE OR REPLACE TEMP TABLE strata_pathway_prior AS
SELECT *
FROM (SELECT NULL::VARCHAR AS scheme_id, NULL::VARCHAR AS period, NULL::VARCHAR AS dimension, NULL::VARCHAR AS stratum,
    NULL::BIGINT AS contacted_den, NULL::BIGINT AS contacted_num, NULL::BIGINT AS contacted_imm,
    NULL::BIGINT AS engaged_den, NULL::BIGINT AS engaged_num, NULL::BIGINT AS engaged_imm,
    NULL::BIGINT AS vcs_den, NULL::BIGINT AS vcs_num, NULL::BIGINT AS vcs_imm,
    NULL::BIGINT AS dna_den, NULL::BIGINT AS dna_num, NULL::BIGINT AS dna_imm)
WHERE false;
