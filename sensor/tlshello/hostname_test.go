package tlshello

import (
	"strings"
	"testing"
)

func TestValidHostname(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"evil.com", true},
		{"a.b.c.example", true},
		{"_dmarc.example.com", true},
		{"EVIL.CoM", true},
		{"xn--j1ahhq.xn--p1ai", true},
		{"a-.b", true}, // Maltrail's pattern allows a trailing hyphen
		{strings.Repeat("a", 63) + ".com", true},
		{strings.Repeat("a.", 126) + "a", true}, // 253 bytes
		{"", false},
		{"localhost", false},
		{"evil.com.", false},
		{".evil.com", false},
		{"bad..com", false},
		{"-bad.com", false},
		{"bad.-com", false},
		{"ev il.com", false},
		{"10.0.0.1:443", false},
		{"caf\xc3\xa9.example", false},
		{strings.Repeat("a", 64) + ".com", false},
		{strings.Repeat("a.", 126) + "ab", false}, // 254 bytes
	}
	for _, tt := range tests {
		if got := ValidHostname([]byte(tt.name)); got != tt.want {
			t.Errorf("ValidHostname(%q): got %v, want %v", tt.name, got, tt.want)
		}
	}
}
