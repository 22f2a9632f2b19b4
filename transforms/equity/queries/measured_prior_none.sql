-- A full build of int_equity_measured_strata counts every referral from no prior counts.
CREATE OR REPLACE TEMP TABLE measured_prior AS
SELECT *
FROM (SELECT NULL::VARCHAR AS scheme_id, NULL::VARCHAR AS period, NULL::VARCHAR AS dimension, NULL::VARCHAR AS stratum,
    NULL::BIGINT AS baselined_den, NULL::BIGINT AS baselined_num, NULL::BIGINT AS baselined_imm,
    NULL::BIGINT AS followed_den, NULL::BIGINT AS followed_num, NULL::BIGINT AS followed_imm)
WHERE false
