package pyre

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spoorsec/spoor/internal/shared"
)

func TestEscapeVectors(t *testing.T) {
	for _, row := range shared.Vectors(t, "re_escape.tsv", 2) {
		in, want := row[0], row[1]
		t.Run(in, func(t *testing.T) {
			if got := Escape(in); got != want {
				t.Errorf("Escape(%q) = %q, want %q", in, got, want)
			}
			// An escaped string matches itself literally.
			re, err := Compile(Escape(in), 0)
			if err != nil {
				t.Fatal(err)
			}
			if s, e, ok := re.FindStringIndex("<" + in + ">"); !ok || s != 1 || e != 1+len(in) {
				t.Errorf("escaped pattern found [%d,%d] %v, want [1,%d]", s, e, ok, 1+len(in))
			}
		})
	}
}

func TestCanon(t *testing.T) {
	groups := [][]rune{
		{'i', 'I', 'İ', 'ı'},
		{'k', 'K', 'K'},
		{'s', 'S', 'ſ'},
		{'ß', 'ẞ'},
		{'σ', 'ς', 'Σ'},
	}
	for _, g := range groups {
		for _, r := range g[1:] {
			if Canon(r) != Canon(g[0]) {
				t.Errorf("Canon(%q) = %q, Canon(%q) = %q; want equal", r, Canon(r), g[0], Canon(g[0]))
			}
		}
	}
	for _, pair := range [][2]rune{{'a', 'b'}, {'k', 's'}, {'1', 'l'}} {
		if Canon(pair[0]) == Canon(pair[1]) {
			t.Errorf("Canon(%q) == Canon(%q), want different", pair[0], pair[1])
		}
	}
}

// engineResults runs every form of re that is exact for s.
func engineResults(re *Regexp, s string) map[string][3]int {
	out := map[string][3]int{}
	ascii, nl := isASCII(s), strings.HasSuffix(s, "\n")
	res := func(loc []int) [3]int {
		if loc == nil {
			return [3]int{0, 0, 0}
		}
		return [3]int{1, loc[0], loc[1]}
	}
	if re.ascii != nil && ascii && !(re.eol && nl) {
		in := s
		if re.lower {
			in = string(appendLower(nil, s))
		}
		out["ascii"] = res(re.ascii.FindStringIndex(in))
	}
	if re.uni != nil && (ascii || !re.word) && !(re.eol && nl) {
		out["uni"] = res(re.uni.FindStringIndex(s))
	}
	if re.proj != nil && re.ascii != nil && !(re.eol && nl) {
		b, offs := re.proj.project(nil, nil, s)
		if loc := re.ascii.FindIndex(b); loc == nil {
			out["proj"] = [3]int{0, 0, 0}
		} else {
			out["proj"] = [3]int{1, int(offs[loc[0]]), int(offs[loc[1]])}
		}
	}
	if re.net != nil {
		m, err := re.net.FindStringMatch(s)
		if err == nil {
			if m == nil {
				out["net"] = [3]int{0, 0, 0}
			} else {
				start := runeOffset(s, 0, m.Index)
				out["net"] = [3]int{1, start, runeOffset(s, start, m.Length)}
			}
		}
	}
	return out
}

// enginePatterns have every form built (the .NET one included) so that
// the fuzzer can compare them.
var enginePatterns = []string{
	`\bUNION\s+(ALL\s+)?SELECT\b`, `\b(AND|OR)[^\w]+\d+['\") ]?[=><]['\"( ]?\d+`, `<script.*?>`,
	`([a-z0-9_.+-]+@[a-z0-9-.]+\.[a-z]+\b.{0,100}){4}`, `\A[\w./-]*/[\w.]*\b(x86|arm(\b|v?\d)|sh\b)\Z`,
	`(?im)^(X-Sinkhole|Server): (malware-?)?sinkhole|\bSinkholed? by `, `\bmama\b$`, `[^\W\d]+\s\S`,
	`[\W\d]{2}`, `\Bab|ı|ſ`, `\d?M\d?y\d?C`, `^[XxTtCc]{3}$`,
}

func FuzzEnginesAgree(f *testing.F) {
	for _, s := range []string{"", "x UNION  select y", "1 or 2=2", "é mama", "mama\n", "SERVER: sinkhole", "1.2.3.4/a/x86", "İı ſ K", "a@b.cc c@d.ee f@g.hh i@j.kk", "\x1f\v\u00a0"} {
		f.Add(s)
	}
	var res []*Regexp
	for _, p := range enginePatterns {
		for _, fl := range []Flags{0, IgnoreCase | DotAll} {
			re := MustCompile(p, fl)
			if re.net == nil {
				// Build the exact form too, for comparison.
				root, gfl, _, err := parse(p, fl)
				if err != nil {
					f.Fatal(err)
				}
				e, err := emitPattern(root, gfl, targetNET)
				if err != nil {
					f.Fatal(err)
				}
				re = &Regexp{pattern: re.pattern, ascii: re.ascii, lower: re.lower, uni: re.uni, word: re.word, eol: re.eol, proj: re.proj, relaxed: re.relaxed}
				re.net = mustNET(f, e.b.String())
			}
			res = append(res, re)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, re := range res {
			got := engineResults(re, s)
			var first [3]int
			var firstName string
			for name, r := range got {
				if firstName == "" {
					first, firstName = r, name
					continue
				}
				if r != first {
					t.Fatalf("%q on %q: %s says %v, %s says %v", re.pattern, s, name, r, firstName, first)
				}
			}
		}
	})
}

func FuzzCompile(f *testing.F) {
	data, err := os.ReadFile(filepath.Join(sharedTestdata(f), "maltrail", "data", "ua.txt"))
	if err != nil {
		f.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && l[0] != '#' {
			f.Add(l)
		}
	}
	for _, c := range compileCases {
		f.Add(c.pattern)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		if len(pattern) > 200 {
			return // bounded work per input
		}
		re, err := Compile(pattern, IgnoreCase)
		if err != nil {
			return
		}
		for _, s := range []string{"", "abc", "Mozilla/5.0 (X11)", "é\n"} {
			re.MatchString(s)
			re.FindStringIndex(s)
		}
		NewSet([]*Regexp{re}).Leftmost("sqlmap x")
	})
}
