-- TEMP TABLE set_bad (_line, _bad, _id): the rows of view stg that pass the row rules but
-- break a rule needing more than one row, each with the first it breaks (SetRulesSQL):
-- 1 a duplicated id (only when dup_ids has rows), 2 an id loaded from another source,
-- 3 for attendances, a referral unknown or quarantined, a date before the referral or
-- another person; for outcomes naming a referral, the same but the date; 4 for GP events,
-- a person not registered at the event's practice on its date (design §12).
-- Filled in: ID and Table (the kind's id column and core table); Dups, whether dup_ids has
-- rows; Columns, the contract columns (s.*), whose hash tells copies of an id apart;
-- Referred, whether the kind's rows belong to referrals (attendances, outcomes);
-- Attendances, whether the kind is; Registered, whether rows are checked against
-- gp_patients (GP events); Bad, the broken rules (BadExpr) by name.
-- Parameters: $1 this file's source.
CREATE OR REPLACE TEMP TABLE set_bad AS
WITH {{if .Dups}}dup AS (
    SELECT m.id, count(DISTINCT hash({{join .Columns ", "}})) AS nh, min(s._line) FILTER (WHERE s._bad IS NULL) AS first_good
    FROM dup_ids m JOIN stg s ON s.{{.ID}} = m.id GROUP BY m.id
),
{{end}}u AS (
    {{if .Dups}}SELECT s._line, 1 AS prio, {{.Bad.Duplicate}} AS _bad, s.{{.ID}} AS _id
    FROM stg s JOIN dup d ON d.id = s.{{.ID}}
    WHERE s._bad IS NULL AND (d.nh > 1 OR s._line <> d.first_good)
    UNION ALL
    {{end}}SELECT s._line, 2 AS prio, {{.Bad.OtherSource}} AS _bad, s.{{.ID}} AS _id
    FROM stg s JOIN (SELECT DISTINCT {{.ID}} AS id FROM {{.Table}} WHERE source <> $1) o ON o.id = s.{{.ID}}
    WHERE s._bad IS NULL{{if .Referred}}
    UNION ALL
    SELECT s._line, 3, CASE
        WHEN r.referral_id IS NULL AND s.referral_id IN (
            SELECT q.record_id FROM quarantine q JOIN ingested_files f ON f.file_id = q.file_id
            WHERE f.kind = 'referrals' AND q.record_id IS NOT NULL) THEN {{.Bad.ReferralQuarantined}}
        WHEN r.referral_id IS NULL THEN {{.Bad.Orphan}}{{if .Attendances}}
        WHEN s.attendance_date < r.referral_date THEN {{.Bad.BeforeReferral}}{{end}}
        ELSE {{.Bad.PersonMismatch}} END, s.{{.ID}}
    FROM stg s LEFT JOIN referrals r ON r.referral_id = s.referral_id
    WHERE s._bad IS NULL{{if not .Attendances}} AND s.referral_id IS NOT NULL{{end}} AND (r.referral_id IS NULL{{if .Attendances}} OR s.attendance_date < r.referral_date{{end}}
        OR (s.person_id IS NOT NULL AND s.person_id <> r.person_id)){{end}}{{if .Registered}}
    UNION ALL
    SELECT s._line, 4, {{.Bad.NotRegistered}}, s.{{.ID}}
    FROM stg s
    WHERE s._bad IS NULL AND NOT EXISTS (
        SELECT 1 FROM gp_patients p
        WHERE p.person_id = s.person_id AND p.practice_code = s.practice_code
            AND p.registered_from <= s.event_date
            AND (p.registered_to IS NULL OR s.event_date <= p.registered_to)){{end}}
)
SELECT _line, arg_min(_bad, prio) AS _bad, any_value(_id) AS _id FROM u GROUP BY _line
