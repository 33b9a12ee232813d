package trails

import (
	"bytes"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func readAllRecords(t testing.TB, data string) [][]string {
	t.Helper()
	r := newCSVReader([]byte(data))
	var out [][]string
	for {
		fields := make([]string, 8)
		n, ok, err := r.next(fields)
		if err != nil {
			t.Fatalf("next: %v", err)
		}
		if !ok {
			return out
		}
		out = append(out, fields[:min(n, len(fields))])
	}
}

// The expectations are what Python's csv.reader returns for the same text read from a
// text-mode file.
func TestCSVReader(t *testing.T) {
	tests := []struct {
		name, in string
		want     [][]string
	}{
		{"plain", "a,b,c\n", [][]string{{"a", "b", "c"}}},
		{"no final newline", "a,b,c", [][]string{{"a", "b", "c"}}},
		{"crlf", "a,b,c\r\nd,e,f\r\n", [][]string{{"a", "b", "c"}, {"d", "e", "f"}}},
		{"cr", "a,b,c\rd,e,f", [][]string{{"a", "b", "c"}, {"d", "e", "f"}}},
		{"blank lines", "\n\na,b,c\n\n", [][]string{{"a", "b", "c"}}},
		{"empty fields", "a,,\n", [][]string{{"a", "", ""}}},
		{"quoted comma", `45.142.120.90,known attacker,"blocklist.de (+dshield.org,greensnow.co)"` + "\n",
			[][]string{{"45.142.120.90", "known attacker", "blocklist.de (+dshield.org,greensnow.co)"}}},
		{"doubled quote", `a,"say ""hi""",c` + "\n", [][]string{{"a", `say "hi"`, "c"}}},
		{"quote inside unquoted field", `a"b,c,d` + "\n", [][]string{{`a"b`, "c", "d"}}},
		{"text after closing quote", `"a"b,c,d` + "\n", [][]string{{"ab", "c", "d"}}},
		{"multi-line field", "\"a\r\nb\",c,d\n", [][]string{{"a\nb", "c", "d"}}},
		{"unterminated quote", `a,b,"c`, [][]string{{"a", "b", "c"}}},
		{"unterminated quote newline", "a,b,\"c\n", [][]string{{"a", "b", "c\n"}}},
		{"four fields", "a,b,c,d\n", [][]string{{"a", "b", "c", "d"}}},
		{"quoted empty", `"",b,c` + "\n", [][]string{{"", "b", "c"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := readAllRecords(t, tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("records of %q = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCSVFieldLimit(t *testing.T) {
	for _, in := range []string{
		strings.Repeat("a", csvFieldLimit+1) + ",b,c\n",
		`"` + strings.Repeat("a", csvFieldLimit+1) + `",b,c` + "\n",
	} {
		if _, err := LoadCSV(strings.NewReader(in), LoadOptions{}); err == nil {
			t.Errorf("LoadCSV of a %d-byte field: got no error, want one", len(in))
		}
	}
}

func TestWriteCSVQuoting(t *testing.T) {
	in := "a.com,\"info, with comma\",\"ref \"\"quoted\"\"\"\r\n"
	s, err := LoadCSV(strings.NewReader(in), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := s.WriteCSV(&out); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != in {
		t.Errorf("WriteCSV = %q, want %q", got, in)
	}
}

func fixturePath(t testing.TB) string { return testdataDir(t) + "/pcaps/maltrail/trails.csv" }

func TestFixtureRoundTrip(t *testing.T) {
	data, err := os.ReadFile(fixturePath(t))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Load(fixturePath(t), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Len(), strings.Count(string(data), "\n"); got != want {
		t.Errorf("Len() = %d, want %d", got, want)
	}
	var out bytes.Buffer
	if err := s.WriteCSV(&out); err != nil {
		t.Fatal(err)
	}
	// The fixture's rows come back, with Python's line ends; the order groups addresses.
	want := strings.Split(strings.TrimSpace(string(data)), "\n")
	got := strings.Split(strings.TrimSpace(strings.ReplaceAll(out.String(), "\r\n", "\n")), "\n")
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("WriteCSV rows = %q, want %q", got, want)
	}
	again, err := LoadCSV(&out, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Len() != s.Len() {
		t.Errorf("reloaded Len() = %d, want %d", again.Len(), s.Len())
	}
}

func FuzzLoadCSV(f *testing.F) {
	if data, err := os.ReadFile(fixturePath(f)); err == nil {
		f.Add(data)
	}
	for _, s := range []string{
		"a.com,x,(static)\r\n1.2.3.4,y,(static)\n",
		`45.142.120.90,known attacker,"blocklist.de (+dshield.org,greensnow.co)"`,
		"\"a\nb\",c,d\n[dead::beef]:443,e,(static)\n1.2.3.0/24,f,(static)\n",
		`dga[0-9]+\.x\.com,m,(static)` + "\n" + `(?<=a)b[0-9]+,m,(static)`,
		"\"unterminated,\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := LoadCSV(bytes.NewReader(data), LoadOptions{Logger: discardLogger})
		if err != nil {
			return // only an over-long field fails, as in Maltrail
		}
		var first bytes.Buffer
		if err := s.WriteCSV(&first); err != nil {
			t.Fatal(err)
		}
		again, err := LoadCSV(bytes.NewReader(first.Bytes()), LoadOptions{Logger: discardLogger})
		if err != nil {
			t.Fatalf("reloading the export: %v", err)
		}
		if again.Len() != s.Len() {
			t.Fatalf("reloaded Len() = %d, want %d", again.Len(), s.Len())
		}
		var second bytes.Buffer
		if err := again.WriteCSV(&second); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Fatalf("export of the reloaded set differs:\n%q\n%q", first.Bytes(), second.Bytes())
		}
	})
}
