package feeds

import (
	"iter"
	"strings"
	"unicode"

	"github.com/spoorsec/spoor/trails"
)

// Text helpers with the semantics of the Python the feed modules are written in.

func isPySpace(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) }

// pyStrip is str.strip().
func pyStrip(s string) string {
	if n := len(s); n > 0 && s[0] > ' ' && s[0] < 0x7f && s[n-1] > ' ' && s[n-1] < 0x7f {
		return s
	}
	return strings.TrimFunc(s, isPySpace)
}

// pySplit is str.split() without arguments: fields between runs of whitespace.
func pySplit(s string) []string { return strings.FieldsFunc(s, isPySpace) }

// lines yields content.split('\n'), each line stripped.
func lines(content string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for line := range strings.SplitSeq(content, "\n") {
			if !yield(pyStrip(line)) {
				return
			}
		}
	}
}

// afterScheme is re.search(r"://(.*)", line).group(1) when line holds "://".
func afterScheme(line string) string {
	if i := strings.Index(line, "://"); i >= 0 {
		return line[i+3:]
	}
	return line
}

// isDottedQuad is re.search(r"\A\d+\.\d+\.\d+\.\d+\Z", s) for ASCII digits.
func isDottedQuad(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.TrimLeft(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

// listOf is the loop most modules share: every stripped line that is not blank, not a
// comment and holds a '.', keyed by key(line) (the line itself when key is nil).
func listOf(key func(line string) string) func(*Source, string) []trails.Trail {
	return func(s *Source, content string) []trails.Trail {
		var out []trails.Trail
		for line := range lines(content) {
			if line == "" || line[0] == '#' || !strings.Contains(line, ".") {
				continue
			}
			if key != nil {
				line = key(line)
			}
			out = append(out, s.trail(line))
		}
		return out
	}
}

// plainList is listOf with the line as the key.
var plainList = listOf(nil)

// firstField is line.split(sep)[0], stripped when strip is set.
func firstField(sep string, strip bool) func(string) string {
	return func(line string) string {
		f, _, _ := strings.Cut(line, sep)
		if strip {
			f = pyStrip(f)
		}
		return f
	}
}
