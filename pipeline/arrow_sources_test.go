package pipeline_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/unicode"
)

// TestXLSXSource ingests a workbook as analysts receive one: a title block above a header
// on row 3 (one header cell wrapped), dates stored as Excel serials under a date format,
// and faulty rows that must be quarantined at their sheet row exactly as a CSV's would be.
func TestXLSXSource(t *testing.T) {
	t.Parallel()
	f := newFixture(t, `database: db/socrx.duckdb
sources:
  referrals:   { path: "extracts/referrals.xlsx", sheet: Referrals, scheme_id: S1,
                 columns: { referral_date: "Referral Date" } }
  attendances: { path: "extracts/attendances*.csv" }
`)
	f.put("good/attendances.csv", "attendances_0.csv")
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", "Referrals"); err != nil {
		t.Fatal(err)
	}
	rows := map[string][]any{
		"A1": {"Social prescribing referrals, Q1 2024"},
		"A3": {"referral_id", "person_id", "practice_code", "Referral\nDate", "lsoa_code", "age"},
		"A4": {"R001", "P001", "A81001", 45294, "E01021988", 54}, // 2024-01-03
		"A5": {"R002", "P002", "a81001", 45301, "E01000001", 71}, // 2024-01-10
		"A6": {"R003", "P003", "A81002", 45307, "E01000002", 130},
		"A7": {"R004", "P004", "A81002", "not a date", "E01000003", 40},
		"A9": {"R005", "P005", "A81001", 45310, nil, nil},
	}
	for cell, r := range rows {
		if err := x.SetSheetRow("Referrals", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	style, err := x.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.SetCellStyle("Referrals", "D4", "D9", style); err != nil {
		t.Fatal(err)
	}
	if err := x.SaveAs(filepath.Join(f.dir, "extracts", "referrals.xlsx")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ingest(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		q    string
		want int64
	}{
		{"SELECT count(*) FROM referrals", 3},
		{"SELECT count(*) FROM referrals WHERE referral_id = 'R002' AND referral_date = DATE '2024-01-10' AND practice_code = 'A81001' AND scheme_id = 'S1'", 1},
		{"SELECT count(*) FROM referrals WHERE referral_id = 'R005' AND lsoa_code IS NULL AND age IS NULL", 1},
		{"SELECT line FROM quarantine WHERE \"column\" = 'age'", 6},
		{"SELECT line FROM quarantine WHERE \"column\" = 'referral_date' AND reason = 'bad_date'", 7},
		{"SELECT count(*) FROM quarantine WHERE file LIKE '%.xlsx'", 2},
	} {
		if got := f.count(c.q); got != c.want {
			t.Errorf("%s = %d, want %d", c.q, got, c.want)
		}
	}
}

// TestEMISSource ingests an EMIS Web report export saved as UTF-16 with metadata rows
// above the header, a header cell broken over two lines, dates like 03-Feb-2024 and a
// trailing Total row, through the same column and value mapping as any CSV source; and
// the same export re-saved from Excel as Unicode text (UTF-16, tab-separated).
func TestEMISSource(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, delimiter string }{
		{"referrals_utf16le.csv", ","}, {"referrals_utf8bom.csv", ","}, {"unicode text", "\t"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, `database: db/socrx.duckdb
sources:
  referrals:
    path: "extracts/emis.csv"
    format: emis
    delimiter: "`+strings.ReplaceAll(c.delimiter, "\t", `\t`)+`"
    date_format: "%d-%b-%Y"
    scheme_id: S1
    columns: { person_id: "Patient ID", referral_date: "Referral Date", referral_id: "Referral ID",
               practice_code: "Practice Code", referral_source: "Referral Source" }
    values:  { referral_source: { "GP": gp, "Self-referral": self } }
  attendances: { path: "extracts/attendances*.csv" }
`)
			// the EMIS referrals have no attendances: a header-only file
			f.write("attendances_0.csv", attHeader)
			fixture := c.name
			if c.delimiter != "," {
				fixture = "referrals_utf8bom.csv"
			}
			b, err := os.ReadFile(filepath.Join("..", "connectors", "testdata", "emis", fixture))
			if err != nil {
				t.Fatal(err)
			}
			if c.delimiter != "," {
				b = unicodeText(t, b)
			}
			if err := os.WriteFile(filepath.Join(f.dir, "extracts", "emis.csv"), b, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := f.ingest(); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				q    string
				want int64
			}{
				{"SELECT count(*) FROM referrals", 3},
				{"SELECT count(*) FROM referrals WHERE referral_id = 'R0003' AND referral_date = DATE '2024-02-29' AND referral_source = 'self'", 1},
				{"SELECT count(*) FROM referrals WHERE referral_id = 'R0001' AND person_id = 'P0001' AND referral_source = 'gp'", 1},
				{"SELECT count(*) FROM quarantine WHERE file LIKE '%emis.csv'", 0},
			} {
				if got := f.count(c.q); got != c.want {
					t.Errorf("%s = %d, want %d", c.q, got, c.want)
				}
			}
		})
	}
}

// unicodeText re-saves a UTF-8 CSV export (with a BOM) as Excel's Unicode text would:
// tab-separated UTF-16 LE with a BOM, CRLF line ends.
func unicodeText(t *testing.T, b []byte) []byte {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	w.Comma, w.UseCRLF = '\t', true
	if err := w.WriteAll(records); err != nil {
		t.Fatal(err)
	}
	u, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return u
}
