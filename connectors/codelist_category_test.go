package connectors

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// ethnicityList is a codelist in the shape of OpenSAFELY's SNOMED CT ethnicity codelist
// (code, term, Grouping_6, Grouping_16), with the given Grouping_16 cells.
func ethnicityList(grouping16 ...string) string {
	codes := []string{"976631000000101", "494131000000105", "92491000000104"}
	var b strings.Builder
	b.WriteString("code,term,Grouping_6,Grouping_16\n")
	for i, g := range grouping16 {
		b.WriteString(codes[i%len(codes)] + ",term " + g + ",1," + g + "\n")
	}
	return b.String()
}

// TestReadEthnicityCodelist reads the category of an ethnicity codelist as the NHS
// ethnic category letter, from a letter or an OpenSAFELY Grouping_16 number, and refuses
// a category it does not know with the file, line and column, never the value.
func TestReadEthnicityCodelist(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, role, content, category string
		want                          []string // the categories read, in order
		err                           []string // in the error, when it fails
	}{
		{name: "Grouping_16 numbers", role: "ethnicity", content: ethnicityList("1", "13", "16"), category: "Grouping_16",
			want: []string{"A", "N", "S"}},
		{name: "letters in any case, Z and 99, padded", role: "ethnicity", content: "code,term,cat\n976631000000101,a, b \n494131000000105,b,Z\n92491000000104,c,99\n",
			category: "CAT", want: []string{"B", "Z", "99"}},
		{name: "leading zero", role: "ethnicity", content: ethnicityList("09"), category: "grouping_16", want: []string{"J"}},
		{name: "Grouping_16 out of range", role: "ethnicity", content: ethnicityList("1", "17"), category: "Grouping_16",
			err: []string{"line 3", "column Grouping_16", "not an NHS ethnic category"}},
		{name: "a letter that is no category", role: "ethnicity", content: ethnicityList("I"), category: "Grouping_16",
			err: []string{"line 2", "column Grouping_16"}},
		{name: "an empty category", role: "ethnicity", content: ethnicityList("1", ""), category: "Grouping_16",
			err: []string{"line 3", "column Grouping_16"}},
		{name: "a description, not a category", role: "ethnicity", content: "code,term,grp\n976631000000101,a,White British\n", category: "grp",
			err: []string{"line 2", "column grp"}},
		{name: "category column missing", role: "ethnicity", content: "code,term\n976631000000101,a\n", category: "Grouping_16",
			err: []string{"line 1", "column Grouping_16", "column missing"}},
		{name: "a short row", role: "ethnicity", content: "code,term,Grouping_16\n976631000000101,a\n", category: "Grouping_16",
			err: []string{"line 2", "fewer than the header's"}},
		{name: "no category column for another role", role: "sp_referral", content: ethnicityList("1"), category: "Grouping_16",
			err: []string{"only the ethnicity codelist takes a category column"}},
		{name: "other roles read without one", role: "sp_referral", content: ethnicityList("1", "2"), want: []string{"", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "list.csv")
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := ReadCategorisedCodelist(context.Background(), path, tc.role, "code", "term", tc.category)
			if tc.err != nil {
				if err == nil {
					t.Fatalf("read %v; want an error", got)
				}
				msg := err.Error()
				for _, w := range append(tc.err, "codelist "+tc.role) {
					if !strings.Contains(msg, w) {
						t.Errorf("error %q lacks %q", msg, w)
					}
				}
				for _, never := range []string{"17", "White British"} {
					if strings.Contains(strings.TrimPrefix(msg, path), never) {
						t.Errorf("error %q quotes the value %q", msg, never)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var cats []string
			for _, c := range got {
				cats = append(cats, c.Category)
			}
			if !slices.Equal(cats, tc.want) {
				t.Errorf("categories %q, want %q", cats, tc.want)
			}
		})
	}
}

// TestEthnicCategoryGrouping16: OpenSAFELY's Grouping_16 follows the 2001 census order,
// which the NHS letters follow too (I, O and Q are not used).
func TestEthnicCategoryGrouping16(t *testing.T) {
	t.Parallel()
	want := map[string]string{"1": "A", "2": "B", "3": "C", "4": "D", "5": "E", "6": "F", "7": "G", "8": "H",
		"9": "J", "10": "K", "11": "L", "12": "M", "13": "N", "14": "P", "15": "R", "16": "S"}
	for n, w := range want {
		if got, ok := EthnicCategory(n); !ok || got != w {
			t.Errorf("EthnicCategory(%q) = %q, %v; want %q", n, got, ok, w)
		}
	}
	for _, bad := range []string{"", "0", "17", "-1", "+1", "1.0", "I", "O", "T", "AB", "00000001", "99999999999999999999"} {
		if got, ok := EthnicCategory(bad); ok {
			t.Errorf("EthnicCategory(%q) = %q; want refused", bad, got)
		}
	}
}

// FuzzEthnicCategory: whatever the cell, a category read is one of the NHS codes.
func FuzzEthnicCategory(f *testing.F) {
	for _, s := range []string{"1", "16", "17", "a", " z ", "99", "0009", "", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := EthnicCategory(s)
		if ok != slices.Contains(ethnicCategories, got) {
			t.Fatalf("EthnicCategory(%q) = %q, %v", s, got, ok)
		}
	})
}

// FuzzReadEthnicityCodelist: whatever the file, reading it either fails with one line or
// gives valid codes each with an NHS ethnic category.
func FuzzReadEthnicityCodelist(f *testing.F) {
	f.Add(ethnicityList("1", "16"))
	f.Add("code,term,Grouping_16\n976631000000101,a,A\n\n\"494131000000105\",\"b\",\"99\"\n")
	f.Add("code,term,Grouping_16\n976631000000101,a\n")
	f.Add("Grouping_16,code,term\n0,976631000000101,a\n")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, content string) {
		path := filepath.Join(dir, "list.csv")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ReadCategorisedCodelist(context.Background(), path, RoleEthnicity, "code", "term", "Grouping_16")
		if err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("error spans lines: %q", err)
			}
			return
		}
		for _, c := range got {
			if !ValidAnyCode(c.Code) || !slices.Contains(ethnicCategories, c.Category) || c.Role != RoleEthnicity {
				t.Fatalf("read %+v", c)
			}
		}
	})
}
