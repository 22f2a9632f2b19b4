package connectors

// DuplicateIDsSQL returns a statement creating TEMP TABLE dup_ids (id): the ids that occur
// more than once in view stg. It runs on its own because most files have none, and a
// join against an empty set still read every staged row.
func DuplicateIDsSQL(kind string) string {
	return sqlTemplate("duplicate_ids", struct{ ID string }{Ident(IDColumn(kind))})
}

// SetRulesSQL returns a statement creating TEMP TABLE set_bad (_line, _bad, _id): the rows
// of view stg that pass the row rules but break a rule needing more than one row, with the
// first rule broken in this order: an id whose rows differ (every copy) or an exact repeat
// (the later copies), checked only when dups says dup_ids (DuplicateIDsSQL) has rows; an
// id already loaded from another source ($1 = this source); for attendances an unknown
// referral (referral_quarantined when the referral is in quarantine itself, else
// orphan_attendance), a date before the referral, a different person; for outcomes that
// name a referral, the same but the date (an assessment may come before its referral) and
// orphan_outcome; for GP events, a person not registered at the practice on the event
// date by the gp_patients loaded (not_registered). _id is the row's id.
// Only bad rows are written, so the cost is a few scans, never a copy of the file.
func SetRulesSQL(kind string, dups bool) string {
	id := Ident(IDColumn(kind))
	var columns []string
	for _, c := range Contract(kind) {
		columns = append(columns, "s."+Ident(c.Name))
	}
	bad := func(reason, col, value string) string {
		return BadExpr(reason, col, "CAST("+value+" AS VARCHAR)")
	}
	type broken struct {
		Duplicate, OtherSource, ReferralQuarantined, Orphan, BeforeReferral, PersonMismatch, NotRegistered string
	}
	orphan := ReasonOrphan
	if kind == "outcomes" {
		orphan = ReasonOrphanOutcome
	}
	return sqlTemplate("set_rules", struct {
		ID, Table                               string
		Dups, Referred, Attendances, Registered bool
		Columns                                 []string
		Bad                                     broken
	}{
		ID: id, Table: kind, Dups: dups, Referred: RefersToReferrals(kind), Attendances: kind == "attendances",
		Registered: kind == "gp_events", Columns: columns,
		Bad: broken{
			Duplicate:           bad(ReasonDuplicateID, IDColumn(kind), "s."+id),
			OtherSource:         bad(ReasonIDOtherSource, IDColumn(kind), "s."+id),
			ReferralQuarantined: bad(ReasonReferralQuarantined, "referral_id", "s.referral_id"),
			Orphan:              bad(orphan, "referral_id", "s.referral_id"),
			BeforeReferral:      bad(ReasonBeforeReferral, "attendance_date", "s.attendance_date"),
			PersonMismatch:      bad(ReasonPersonMismatch, "person_id", "NULL"),
			NotRegistered:       bad(ReasonNotRegistered, "person_id", "NULL"),
		},
	})
}
