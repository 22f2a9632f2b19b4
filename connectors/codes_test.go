package connectors

import (
	"strconv"
	"testing"
)

// The two national social prescribing codes (design §3.6) and corruptions of them: the
// Verhoeff digit catches every single-digit change and every swap of adjacent digits.
func TestVerhoeff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, code string
		want       bool
	}{
		{"referral to social prescribing service", "871731000000106", true},
		{"social prescribing declined", "871711000000103", true},
		// other real concept ids, short and long
		{"SNOMED CT concept (the root)", "138875005", true},
		{"myocardial infarction", "22298006", true},
		{"diabetes mellitus", "73211009", true},
		{"paracetamol", "387517004", true},
		{"referral: last digit changed", "871731000000107", false},
		{"referral: a middle digit changed", "871732000000106", false},
		{"declined: first digit changed", "971711000000103", false},
		{"referral: first two digits swapped", "781731000000106", false},
		{"declined: digits 3 and 4 swapped", "877111000000103", false},
		{"declined: last two digits swapped", "871711000000130", false},
		{"empty", "", false},
		{"not digits", "87173100000010x", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Verhoeff(tc.code); got != tc.want {
				t.Errorf("Verhoeff(%q) = %v, want %v", tc.code, got, tc.want)
			}
		})
	}
}

func TestValidCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code, system string
		want         bool
	}{
		{"871731000000106", "", true},
		{"871731000000106", "snomed", true},
		{"871731000000107", "snomed", false},
		{"12345", "snomed", false},               // too short for a concept id
		{"1234567890123456789", "snomed", false}, // too long
		{"8T08.", "read2", true},                 // Read v2, padded with dots
		{"XaXfp", "ctv3", true},                  // CTV3
		{"8T08", "read2", false},                 // four characters
		{"8T-08", "read2", false},                // a character outside the shape
		{"871731000000106", "read2", false},      // a concept id is no Read code
		{"8T08.", "icd10", false},                // not a code system
	} {
		if got := ValidCode(tc.code, tc.system); got != tc.want {
			t.Errorf("ValidCode(%q, %q) = %v, want %v", tc.code, tc.system, got, tc.want)
		}
	}
}

// TestValidCodeSQL checks the staging SQL agrees with ValidCode, the one copy of the
// tables feeding both.
func TestValidCodeSQL(t *testing.T) {
	t.Parallel()
	db := openDuck(t)
	codes := []string{"871731000000106", "871711000000103", "871731000000107", "781731000000106",
		"12345", "123456", "1234567890123456789", "8T08.", "XaXfp", "8T08", "138875005", "22298006"}
	for i := 0; i < 40; i++ {
		codes = append(codes, strconv.Itoa(100000+i*7919))
	}
	for _, system := range []string{"snomed", "read2", "ctv3"} {
		for _, code := range codes {
			got, err := eval(t, db, ValidCodeSQL("x", Literal(system)), code)
			if err != nil {
				t.Fatalf("%s %s: %v", system, code, err)
			}
			if want := strconv.FormatBool(ValidCode(code, system)); got.String != want {
				t.Errorf("ValidCodeSQL(%q, %s) = %s, want %s", code, system, got.String, want)
			}
		}
	}
}

// FuzzVerhoeff: any string is judged without a panic, and a valid one stays digits only.
//
//	go test ./connectors -run '^$' -fuzz FuzzVerhoeff -fuzztime 30s
func FuzzVerhoeff(f *testing.F) {
	for _, s := range []string{"871731000000106", "871711000000103", "", "0", "x", "\xff", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if Verhoeff(s) {
			for i := 0; i < len(s); i++ {
				if s[i] < '0' || s[i] > '9' {
					t.Fatalf("Verhoeff(%q) = true with a non-digit", s)
				}
			}
		}
		_ = ValidCode(s, "snomed")
		_ = ValidAnyCode(s)
	})
}

// TestVerhoeffDetects: for numbers given their check digit, the property the scheme is
// chosen for holds: exactly one check digit fits, and every single-digit change and
// every swap of two different adjacent digits is caught.
func TestVerhoeffDetects(t *testing.T) {
	t.Parallel()
	for n := 100000; n < 100000+20000; n += 7 {
		body := strconv.Itoa(n)
		var fits []string
		for c := '0'; c <= '9'; c++ {
			if Verhoeff(body + string(c)) {
				fits = append(fits, body+string(c))
			}
		}
		if len(fits) != 1 {
			t.Fatalf("%s: %d check digits fit", body, len(fits))
		}
		code := []byte(fits[0])
		for i := range code {
			for d := byte('0'); d <= '9'; d++ {
				if d == code[i] {
					continue
				}
				bad := append([]byte(nil), code...)
				bad[i] = d
				if Verhoeff(string(bad)) {
					t.Fatalf("%s with digit %d changed to %c passes", code, i, d)
				}
			}
			if i+1 < len(code) && code[i] != code[i+1] {
				bad := append([]byte(nil), code...)
				bad[i], bad[i+1] = bad[i+1], bad[i]
				if Verhoeff(string(bad)) {
					t.Fatalf("%s with digits %d and %d swapped passes", code, i, i+1)
				}
			}
		}
	}
}
