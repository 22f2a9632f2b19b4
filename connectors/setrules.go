package connectors

import (
	"fmt"
	"strings"
)

// DuplicateIDsSQL returns a statement creating TEMP TABLE dup_ids (id): the ids that occur
// more than once in view stg. It runs on its own because most files have none, and a
// join against an empty set still read every staged row.
func DuplicateIDsSQL(kind string) string {
	id := Ident(IDColumn(kind))
	return fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE dup_ids AS
SELECT %s AS id FROM stg WHERE %s IS NOT NULL GROUP BY 1 HAVING count(*) > 1`, id, id)
}

// SetRulesSQL returns a statement creating TEMP TABLE set_bad (_line, _bad, _id): the rows
// of view stg that pass the row rules but break a rule needing more than one row, with the
// first rule broken in this order: an id whose rows differ (every copy) or an exact repeat
// (the later copies), checked only when dups says dup_ids (DuplicateIDsSQL) has rows; an
// id already loaded from another source ($1 = this source); for attendances an unknown
// referral (referral_quarantined when the referral is in quarantine itself, else
// orphan_attendance), a date before the referral, a different person. _id is the row's id.
// Only bad rows are written, so the cost is a few scans, never a copy of the file.
func SetRulesSQL(kind string, dups bool) string {
	id := Ident(IDColumn(kind))
	contract := Contract(kind)
	names := make([]string, len(contract))
	for i, c := range contract {
		names[i] = "s." + Ident(c.Name)
	}
	bad := func(reason, col, value string) string {
		return BadExpr(reason, col, "CAST("+value+" AS VARCHAR)")
	}
	var with, parts []string
	if dups {
		with = append(with, fmt.Sprintf(`dup AS (
    SELECT m.id, count(DISTINCT hash(%s)) AS nh, min(s._line) FILTER (WHERE s._bad IS NULL) AS first_good
    FROM dup_ids m JOIN stg s ON s.%s = m.id GROUP BY m.id
)`, strings.Join(names, ", "), id))
		parts = append(parts, fmt.Sprintf(`SELECT s._line, 1 AS prio, %s AS _bad, s.%s AS _id
    FROM stg s JOIN dup d ON d.id = s.%s
    WHERE s._bad IS NULL AND (d.nh > 1 OR s._line <> d.first_good)`, bad(ReasonDuplicateID, IDColumn(kind), "s."+id), id, id))
	}
	parts = append(parts, fmt.Sprintf(`SELECT s._line, 2 AS prio, %s AS _bad, s.%s AS _id
    FROM stg s JOIN (SELECT DISTINCT %s AS id FROM %s WHERE source <> $1) o ON o.id = s.%s
    WHERE s._bad IS NULL`, bad(ReasonIDOtherSource, IDColumn(kind), "s."+id), id, id, kind, id))
	if kind == "attendances" {
		parts = append(parts, fmt.Sprintf(`SELECT s._line, 3, CASE
        WHEN r.referral_id IS NULL AND s.referral_id IN (
            SELECT q.record_id FROM quarantine q JOIN ingested_files f ON f.file_id = q.file_id
            WHERE f.kind = 'referrals' AND q.record_id IS NOT NULL) THEN %s
        WHEN r.referral_id IS NULL THEN %s
        WHEN s.attendance_date < r.referral_date THEN %s
        ELSE %s END, s.attendance_id
    FROM stg s LEFT JOIN referrals r ON r.referral_id = s.referral_id
    WHERE s._bad IS NULL AND (r.referral_id IS NULL OR s.attendance_date < r.referral_date
        OR (s.person_id IS NOT NULL AND s.person_id <> r.person_id))`,
			bad(ReasonReferralQuarantined, "referral_id", "s.referral_id"),
			bad(ReasonOrphan, "referral_id", "s.referral_id"), bad(ReasonBeforeReferral, "attendance_date", "s.attendance_date"),
			bad(ReasonPersonMismatch, "person_id", "NULL")))
	}
	with = append(with, fmt.Sprintf("u AS (\n    %s\n)", strings.Join(parts, "\n    UNION ALL\n    ")))
	return fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE set_bad AS
WITH %s
SELECT _line, arg_min(_bad, prio) AS _bad, any_value(_id) AS _id FROM u GROUP BY _line`, strings.Join(with, ",\n"))
}
