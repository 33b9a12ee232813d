package heuristic

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/spoorsec/spoor/internal/shared"
)

func TestSuspiciousRequestVectors(t *testing.T) {
	for _, row := range shared.Vectors(t, "suspicious_request.tsv", 2) {
		t.Run(row[0], func(t *testing.T) {
			got, ok := SuspiciousRequest(row[0])
			if want := row[1]; got != want || ok != (want != "") {
				t.Errorf("SuspiciousRequest(%q) = %q, %v; want %q", row[0], got, ok, want)
			}
		})
	}
}

func TestSinkholeVectors(t *testing.T) {
	for _, row := range shared.Vectors(t, "sinkhole.tsv", 2) {
		t.Run(row[0], func(t *testing.T) {
			got, ok := SinkholeResponse([]byte(row[0]))
			if want := row[1]; got != want || ok != (want != "") {
				t.Errorf("SinkholeResponse(%q) = %q, %v; want %q", row[0], got, ok, want)
			}
		})
	}
}

func TestDirectIPURLVectors(t *testing.T) {
	for _, row := range shared.Vectors(t, "direct_ip_url.tsv", 2) {
		t.Run(row[0], func(t *testing.T) {
			if got, want := DirectIPURL(row[0]), row[1] == "1"; got != want {
				t.Errorf("DirectIPURL(%q) = %v, want %v", row[0], got, want)
			}
		})
	}
}

func TestEntropyVectors(t *testing.T) {
	for _, row := range shared.Vectors(t, "entropy.tsv", 3) {
		t.Run(row[0], func(t *testing.T) {
			if got := fmt.Sprintf("%.10f", Entropy(row[0])); got != row[1] {
				t.Errorf("Entropy(%q) = %s, want %s", row[0], got, row[1])
			}
			want, err := strconv.Atoi(row[2])
			if err != nil {
				t.Fatal(err)
			}
			if got := Consonants(row[0]); got != want {
				t.Errorf("Consonants(%q) = %d, want %d", row[0], got, want)
			}
		})
	}
}

func TestValidDNSNameVectors(t *testing.T) {
	for _, row := range shared.Vectors(t, "valid_dns_name.tsv", 2) {
		t.Run(row[0], func(t *testing.T) {
			if got, want := ValidDNSName(row[0]), row[1] == "1"; got != want {
				t.Errorf("ValidDNSName(%q) = %v, want %v", row[0], got, want)
			}
		})
	}
}

func TestUnquoteVectors(t *testing.T) {
	for _, row := range shared.Vectors(t, "unquote.tsv", 2) {
		t.Run(row[0], func(t *testing.T) {
			if got := Unquote(row[0]); got != row[1] {
				t.Errorf("Unquote(%q) = %q, want %q", row[0], got, row[1])
			}
		})
	}
}

func TestSplitExtVectors(t *testing.T) {
	for _, row := range shared.Vectors(t, "splitext.tsv", 3) {
		t.Run(row[0], func(t *testing.T) {
			root, ext := SplitExt(row[0])
			if root != row[1] || ext != row[2] {
				t.Errorf("SplitExt(%q) = %q, %q; want %q, %q", row[0], root, ext, row[1], row[2])
			}
		})
	}
}

func TestUnquoterAppendMatchesUnquote(t *testing.T) {
	var u Unquoter
	for _, s := range []string{"plain", "a%20b", "%E2%82%AC%zz%", "ü%41", "%ff%fe", ""} {
		got := string(u.Append([]byte("x:"), s))
		if want := "x:" + Unquote(s); got != want {
			t.Errorf("Append(%q): got %q, want %q", s, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { u.Append(make([]byte, 0, 64)[:0], "/a%20b?c=%27") }); n > 1 {
		t.Errorf("got %.0f allocations, want at most the caller's buffer", n)
	}
}
