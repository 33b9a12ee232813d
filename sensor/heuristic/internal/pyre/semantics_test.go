package pyre

import (
	"strings"
	"testing"
)

type semanticsCase struct {
	pattern    string
	flags      Flags
	input      string
	start, end int // byte offsets of re.search's match; -1 when none
}

// semanticsCases were produced by CPython 3.11's re.search.
var semanticsCases = []semanticsCase{
	{`abc\Z`, 0, "xabc", 1, 4},
	{`abc\Z`, 0, "abc\n", -1, -1},
	{`abc$`, 0, "abc\n", 0, 3},
	{`abc$`, 0, "abc\nx", -1, -1},
	{`(?m)^b$`, 0, "a\nb\nc", 2, 3},
	{`a.c`, 0, "a\nc", -1, -1},
	{`(?s)a.c`, 0, "a\nc", 0, 3},
	{`\${[^&]+\}`, 0, "x=${7*7}", 2, 8},
	{`a{,2}b`, 0, "aaab", 1, 4},
	{`a{}`, 0, "a{}", 0, 3},
	{`a{,}`, 0, "aaa", 0, 3},
	{`x{2,3}?`, 0, "xxxx", 0, 2},
	{`<.*?>`, 0, "<a><b>", 0, 3},
	{`\bmama\b`, 0, "\u00e9mama", -1, -1},
	{`\bmama\b`, 0, "\u00e9 mama", 3, 7},
	{`\bmama\b`, 0, "mama_", -1, -1},
	{`\Bama`, 0, "mama", 1, 4},
	{`\w+`, 0, "--h\u00e9llo1--", 2, 9},
	{`\w+`, ASCII, "--h\u00e9llo1--", 2, 3},
	{`\d+`, 0, "x\u0661\u0662y", 1, 5},
	{`\d+`, ASCII, "x\u0661\u0662y", -1, -1},
	{`a\sb`, 0, "a\u000bb", 0, 3},
	{`a\sb`, 0, "a\u00a0b", 0, 4},
	{`a\sb`, 0, "a\u001fb", 0, 3},
	{`a\Sb`, 0, "a\u2003b", -1, -1},
	{`[\W\d]+`, 0, "ab12-\u00e9", 2, 5},
	{`[^\W\d]+`, 0, "12ab_\u00e93", 2, 7},
	{`[^\w.]+`, 0, "a.b--c", 3, 5},
	{`sqlmap`, IgnoreCase, "SQLMAP", 0, 6},
	{`s`, IgnoreCase, "\u017f", 0, 2},
	{`k`, IgnoreCase, "\u212a", 0, 3},
	{`i`, IgnoreCase, "\u0130", 0, 2},
	{`i`, IgnoreCase, "\u0131", 0, 2},
	{`[a-z]+`, IgnoreCase, "X\u212aY", 0, 5},
	{`[^s]`, IgnoreCase, "\u017f", -1, -1},
	{`\u0131`, IgnoreCase, "I", 0, 1},
	{`(?i)ß`, 0, "\u1e9e", 0, 3},
	{`(?i:a)B`, 0, "AB", 0, 2},
	{`(?i:a)B`, 0, "Ab", -1, -1},
	{`a(?-i:B)`, IgnoreCase, "Ab", -1, -1},
	{`a(?-i:B)`, IgnoreCase, "AB", 0, 2},
	{`(?<=ab)c`, 0, "abc", 2, 3},
	{`(?<!a)c`, 0, "ac bc", 4, 5},
	{`c(?=d)`, 0, "cecd", 2, 3},
	{`c(?!d)`, 0, "cdce", 2, 3},
	{`(a)\1`, 0, "xaay", 1, 3},
	{`(?P<x>b)(?P=x)`, 0, "abba", 1, 3},
	{`(a)?(?(1)b|c)`, 0, "xc ab", 1, 2},
	{`(?>a+)b`, 0, "aab", 0, 3},
	{`C++`, 0, "Custom CCC", 0, 1},
	{`a*+a`, 0, "aaa", -1, -1},
	{`\x41\u0042\U00000043\101`, 0, "ABCA", 0, 4},
	{`[\b]`, 0, "a\bb", 1, 2},
	{`\0`, 0, "a\u0000", 1, 2},
	{`(?x) a b  # comment`, 0, "ab", 0, 2},
	{`a|b|`, 0, "cd", 0, 0},
	{``, 0, "abc", 0, 0},
	{`[-a]`, 0, "-", 0, 1},
	{`[a-]`, 0, "-", 0, 1},
	{`[]a]`, 0, "]", 0, 1},
	{`[^]a]`, 0, "]b", 1, 2},
	{`(?#comment)x`, 0, "x", 0, 1},
	{`\(\) { :;`, 0, "() { :;}; echo", 0, 7},
	{`^(X-Sinkhole|Server): (malware-?)?sinkhole`, IgnoreCase | Multiline, "HTTP/1.1 200\r\nserver: Malware-Sinkhole\r\n", 14, 38},
	{`x{1500}`, 0, strings.Repeat("x", 1600), 0, 1500},
}

func TestMatchesPython(t *testing.T) {
	for _, tt := range semanticsCases {
		t.Run(tt.pattern+"/"+tt.input, func(t *testing.T) {
			re, err := Compile(tt.pattern, tt.flags)
			if err != nil {
				t.Fatal(err)
			}
			start, end, ok := re.FindStringIndex(tt.input)
			if !ok {
				start, end = -1, -1
			}
			if start != tt.start || end != tt.end {
				t.Errorf("search(%q, %q) = [%d,%d], want [%d,%d]", tt.pattern, tt.input, start, end, tt.start, tt.end)
			}
			if got := re.MatchString(tt.input); got != (tt.start >= 0) {
				t.Errorf("MatchString = %v, want %v", got, tt.start >= 0)
			}
		})
	}
}
