package provider

import (
	"strings"
	"testing"
)

// TestIndicatorKeyProblem: spellings the collector would store differently
// are refused before apply, with the fix in the message; stored forms pass.
func TestIndicatorKeyProblem(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want: "" or a substring of the problem
	}{
		{"evil.example", ""},
		{"203.0.113.7", ""},
		{"203.0.113.7:8080", ""},
		{"198.51.100.0/24", ""},
		{"2001:db8::1", ""},
		{"bad.example/dl/payload.exe", ""},
		{"", "empty"},
		{"Evil.Example", "lower case: evil.example"},
		{"https://evil.example/x", "without the scheme"},
		{"evil.example/", "trailing slash"},
		{".evil.example", "leading or trailing dots"},
		{"evil .example", "printable ASCII"},
		{"evil.example#c2", "printable ASCII"},
		{"a,b", "printable ASCII"},
		{strings.Repeat("a", 257), "longer than 256"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got := indicatorKeyProblem(tc.in)
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Fatalf("indicatorKeyProblem(%q): got %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestNoteSyntax: notes are printable and comma-free (the collector's
// one-per-line import format splits on commas).
func TestNoteSyntax(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"apt-x c2 (confirmed)", true},
		{"", true},
		{"Ünïcode ok", true},
		{"a,b", false},
		{"line\nbreak", false},
		{"tab\there", false},
	} {
		if got := noteSyntax.MatchString(tc.in); got != tc.want {
			t.Errorf("noteSyntax(%q): got %t, want %t", tc.in, got, tc.want)
		}
	}
}
