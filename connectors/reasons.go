package connectors

import "fmt"

// Quarantine reasons. They are the contract between ingest, the quarantine table and
// anyone who reads it; keep them stable.
const (
	ReasonMissing        = "missing_value"
	ReasonBadDate        = "bad_date"
	ReasonBadInteger     = "bad_integer"
	ReasonBadMonth       = "bad_birth_month"
	ReasonOutOfRange     = "out_of_range"
	ReasonUnknownCode    = "unknown_code"
	ReasonFutureDate     = "future_date"
	ReasonClosedBefore   = "closed_before_referral"
	ReasonDuplicateID    = "duplicate_id"
	ReasonOrphan         = "orphan_attendance"
	ReasonOrphanOutcome  = "orphan_outcome"
	ReasonBeforeReferral = "before_referral"
	ReasonPersonMismatch = "person_mismatch"
	ReasonIDOtherSource  = "id_from_other_source"
	ReasonBadCount       = "bad_count"
	ReasonBadDeprivation = "bad_deprivation_value"
	ReasonSpreadsheetErr = "spreadsheet_error"
	ReasonReservedID     = "reserved_id"
	ReasonUnknownScheme  = "unknown_scheme"
	ReasonPostcode       = "postcode_in_lsoa"
	ReasonBadCode        = "bad_code"   // not a SNOMED CT concept id, Read v2 or CTV3 code
	ReasonBadNumber      = "bad_number" // a GP event's value that is not a number
	ReasonEndedBefore    = "ended_before_registered"
	ReasonNotRegistered  = "not_registered" // a GP event of a person not on the list that day
	// ReasonReferralQuarantined: an attendance whose referral was itself quarantined. It
	// is not the attendance file's fault, so it does not count towards that file's
	// rejected share (ingest.max_rejected_share).
	ReasonReferralQuarantined = "referral_quarantined"
)

// A broken rule travels as one VARCHAR, _bad: reason, column and value joined by the unit
// separator, the value left off when it is NULL (BadExpr, BadFields): under a third of the
// room a struct of three strings took in every staged row, NULL or not.
const badSep = "chr(31)"

// BadExpr returns SQL encoding a broken rule (reason and column are constants, value an
// expression, NULL when there is no value to show).
func BadExpr(reason, column, value string) string {
	return fmt.Sprintf("concat_ws(%s, %s, %s, %s)", badSep, Literal(reason), Literal(column), value)
}

// BadFields returns SQL for the reason, column and value of the rule encoded in b (an
// expression, evaluated more than once). Reason and column are ASCII words, so the value
// starts at the byte, and so the character, after the second separator.
func BadFields(b string) (reason, column, value string) {
	reason = fmt.Sprintf("split_part(%s, %s, 1)", b, badSep)
	column = fmt.Sprintf("split_part(%s, %s, 2)", b, badSep)
	head := fmt.Sprintf("strlen(%s) + strlen(%s) + 1", reason, column)
	value = fmt.Sprintf("CASE WHEN strlen(%s) > %s THEN %s[%s + 2:] END", b, head, b, head)
	return reason, column, value
}
