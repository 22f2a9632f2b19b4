package connectors

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadCodelist(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, content, codeCol, termCol string
		want                            int      // codes read
		err                             []string // in the error, when it fails
	}{
		{name: "OpenSAFELY shape", content: "code,term\n871731000000106,Referral to social prescribing service\n871711000000103,Social prescribing declined\n",
			codeCol: "code", termCol: "term", want: 2},
		{name: "BOM, other columns, any case, blank line, repeat", content: "\ufeffCTV3ID,Description,Extra\nXaXfp,a,1\n\n8T08.,b,2\nXaXfp,again,3\n",
			codeCol: "ctv3id", termCol: "description", want: 2},
		{name: "code column missing", content: "id,term\n871731000000106,x\n", codeCol: "code", termCol: "term",
			err: []string{"line 1", "column code", "column missing"}},
		{name: "a corrupted code", content: "code,term\n871731000000106,ok\n871731000000107,corrupted\n", codeCol: "code", termCol: "term",
			err: []string{"line 3", "column code", "check digit"}},
		{name: "a short row", content: "code,term\n871731000000106\n", codeCol: "code", termCol: "term",
			err: []string{"line 2", "fewer than the header's"}},
		{name: "empty", content: "", codeCol: "code", termCol: "term", err: []string{"line 1", "no header row"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "list.csv")
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := ReadCodelist(context.Background(), path, "sp_referral", tc.codeCol, tc.termCol)
			if tc.err != nil {
				if err == nil {
					t.Fatalf("read %d codes; want an error", len(got))
				}
				for _, w := range tc.err {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				if strings.Contains(err.Error(), "871731000000107") {
					t.Errorf("error %q quotes the code", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.want {
				t.Errorf("read %d codes, want %d: %v", len(got), tc.want, got)
			}
			for _, c := range got {
				if c.Role != "sp_referral" || c.Term == "" {
					t.Errorf("code %+v: want role sp_referral and its term", c)
				}
			}
		})
	}
}

// TestDefaultCodelists: the shipped national codes are valid concept ids.
func TestDefaultCodelists(t *testing.T) {
	t.Parallel()
	for _, c := range DefaultCodelists() {
		if !ValidCode(c.Code, "snomed") || c.Term == "" {
			t.Errorf("default %+v is not a valid SNOMED CT code with a term", c)
		}
	}
}
