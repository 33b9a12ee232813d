package trails

import "strings"

// lineKind selects the per-line rules of the feed a trail file belongs to.
type lineKind uint8

const (
	// staticLine: trails/static/__init__.py for *.txt. A scheme-stripped URL without a
	// path becomes "host/", and only keys with more than one '/' lose trailing slashes.
	staticLine lineKind = iota
	// customLine: trails/custom/__init__.py. Trailing slashes are always stripped.
	customLine
)

// parseTrailLine turns one line of a static or custom *.txt trail file into its trail
// key. ok is false for blank and comment lines. The key is not normalised yet (case,
// "www.", IDNA): that is update.py's post-processing, done after the feeds are merged.
func parseTrailLine(line string, kind lineKind) (key string, ok bool) {
	line = pyStrip(line)
	if line == "" || line[0] == '#' {
		return "", false
	}
	// re.sub(r"\s*#.*", "", line): the first '#' and what follows it, with the
	// whitespace before it.
	if i := strings.IndexByte(line, '#'); i >= 0 {
		line = pyRStrip(line[:i])
	}
	if i := strings.Index(line, "://"); i >= 0 {
		line = line[i+3:]
		if kind == staticLine && !strings.Contains(line, "/") {
			line += "/"
		}
	}
	if kind == customLine {
		line = strings.TrimRight(line, "/")
	}
	if strings.Contains(line, "/") {
		if kind == staticLine && strings.Count(line, "/") > 1 {
			line = strings.TrimRight(line, "/")
		}
		return line, true
	}
	// Maltrail keeps dotted quads as they are and strips dots around anything else,
	// which leaves a dotted quad unchanged too.
	return strings.Trim(line, "."), true
}

// parseCSVTrailLine handles one line of a static *.csv trail file ("value,info"), which
// Maltrail supports but does not ship: the info comes from the line, with quotes
// trimmed. ok is false for blank, comment and comma-less lines.
func parseCSVTrailLine(line string) (key, info string, ok bool) {
	line = pyStrip(line)
	if line == "" || line[0] == '#' {
		return "", "", false
	}
	value, info, found := strings.Cut(line, ",")
	if !found {
		return "", "", false
	}
	info = strings.Trim(info, `"`)
	if i := strings.Index(value, "://"); i >= 0 {
		value = value[i+3:]
	}
	value = strings.TrimRight(value, "/")
	if strings.Contains(value, "/") {
		return value, info, true
	}
	return strings.Trim(value, "."), info, true
}

// isDottedQuad is `\A\d+\.\d+\.\d+\.\d+\Z` (ASCII digits).
func isDottedQuad(s string) bool {
	digits, dots := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && digits > 0 && dots < 3:
			digits = 0
			dots++
		default:
			return false
		}
	}
	return dots == 3 && digits > 0
}

// isDottedQuadNetwork is `\A\d+\.\d+\.\d+\.\d+/\d+\Z` (ASCII digits).
func isDottedQuadNetwork(s string) bool {
	i := strings.IndexByte(s, '/')
	if i < 0 || i == len(s)-1 || !isDottedQuad(s[:i]) {
		return false
	}
	for j := i + 1; j < len(s); j++ {
		if s[j] < '0' || s[j] > '9' {
			return false
		}
	}
	return true
}
