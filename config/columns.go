package config

import (
	"fmt"
	"strings"
)

// CanonicalColumns lists the contract columns of an extract kind (design §3); nil for
// kinds recognised by their published headers (deprivation, population).
func CanonicalColumns(kind string) []string {
	switch kind {
	case "referrals":
		return []string{"referral_id", "person_id", "scheme_id", "practice_code", "referral_date",
			"referral_source", "referral_reason", "outcome", "closed_date", "lsoa_code", "sex", "age",
			"birth_month", "ethnic_category"}
	case "attendances":
		return []string{"attendance_id", "referral_id", "attendance_date", "setting", "status",
			"worker_id", "provider_id", "activity_category", "mode", "person_id"}
	case "outcomes":
		return []string{"assessment_id", "person_id", "measure", "score", "assessed_on", "referral_id", "stage"}
	case "gp_events":
		return []string{"person_id", "practice_code", "event_date", "code", "event_id", "value", "code_system"}
	case "gp_patients":
		return []string{"person_id", "practice_code", "registered_from", "registered_to", "lsoa_code", "sex",
			"age", "birth_month", "ethnic_category", "ethnicity_code"}
	}
	return nil
}

// CheckDateFormat accepts strptime formats built from day, month and year directives
// and literal separators, the subset socrx documents (design §3).
func CheckDateFormat(f string) error {
	if f == "" {
		return fmt.Errorf("empty date format")
	}
	allowed := "dmbBYy"
	hasD, hasM, hasY := false, false, false
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c == '%' {
			if i+1 >= len(f) || !strings.ContainsRune(allowed, rune(f[i+1])) {
				return fmt.Errorf("date format %q: only %%d %%m %%b %%B %%Y %%y directives are supported", f)
			}
			switch f[i+1] {
			case 'd':
				hasD = true
			case 'm', 'b', 'B':
				hasM = true
			case 'Y', 'y':
				hasY = true
			}
			i++
			continue
		}
		if !strings.ContainsRune("/-. ,", rune(c)) {
			return fmt.Errorf("date format %q: unexpected literal %q", f, c)
		}
	}
	if !hasD || !hasM || !hasY {
		return fmt.Errorf("date format %q: needs a day, a month and a year", f)
	}
	return nil
}
