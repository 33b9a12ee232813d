package event

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ANSI sequences core/colorized.py uses.
const (
	ansiReset          = "\x1b[0m"
	ansiBlue           = "\x1b[34m"
	ansiUnderline      = "\x1b[4m"
	ansiLightGray      = "\x1b[37m"
	ansiYellow         = "\x1b[33m"
	ansiLightRed       = "\x1b[91m"
	ansiLightYellow    = "\x1b[93m"
	ansiLightBlue      = "\x1b[94m"
	ansiLightCyan      = "\x1b[96m"
	ansiWhite          = "\x1b[97m"
	ansiBoldWhite      = "\x1b[97;1m"
	ansiBoldLightRed   = "\x1b[91;1m"
	ansiBoldLightGreen = "\x1b[92;1m"
	ansiBoldLightMag   = "\x1b[95;1m"
)

func markerColor(r rune) string {
	switch r {
	case 'i':
		return ansiLightBlue
	case '!', '?':
		return ansiLightYellow
	case '*':
		return ansiLightCyan
	case 'x':
		return ansiBoldLightRed
	case 'o':
		return ansiBoldWhite
	case '+', '^':
		return ansiBoldLightGreen
	}
	return ""
}

func typeColor(t string) string {
	switch t {
	case "DNS":
		return "\x1b[44m"
	case "UA":
		return "\x1b[45m"
	case "IP", "IPORT":
		return "\x1b[41m"
	case "URL":
		return "\x1b[43m"
	case "HTTP":
		return "\x1b[42m"
	case "PATH":
		return "\x1b[46m"
	case "PORT":
		return "\x1b[100m"
	case "CERT":
		return "\x1b[48;5;100m"
	}
	return ansiWhite
}

func infoColor(class string) string {
	switch class {
	case "malware":
		return ansiLightRed
	case "suspicious":
		return ansiLightYellow
	case "malicious":
		return ansiYellow
	}
	return ""
}

// Colorize paints a console line the way Maltrail's core/colorized.py
// does on a TTY: the "[i]"-style marker, the banner, a usage line, and for
// an event line the type column, the timestamp, the "(malware)"-style
// class and every other parenthesised part, then single-quoted values.
// Its quirks are kept (an already painted class is wrapped a second time),
// so Spoor's console looks exactly like Maltrail's.
func Colorize(line string) string {
	s := line
	s = paintMarker(s)
	if strings.Contains(s, "Maltrail (") {
		s = paintBanner(s)
	}
	if strings.Contains(s, "Usage: ") {
		s = paintUsage(s)
	}
	if strings.HasPrefix(s, `"2`) {
		s = paintTypes(s)
		s = paintFirstQuoted(s)
		s = paintInfoClasses(s)
		s = paintParens(s)
	}
	return paintSingleQuoted(s)
}

// isPySpace is Python's str.isspace, which \s follows.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f
}

// isPyWord is Python's \w for str patterns: alphanumeric or underscore.
func isPyWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// paintMarker: \A(\s*)\[(.)\] with a known marker character.
func paintMarker(s string) string {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isPySpace(r) {
			break
		}
		i += n
	}
	if i >= len(s) || s[i] != '[' {
		return s
	}
	r, n := utf8.DecodeRuneInString(s[i+1:])
	end := i + 1 + n
	if r == '\n' || end >= len(s) || s[end] != ']' {
		return s
	}
	color := markerColor(r)
	if color == "" {
		return s
	}
	return s[:i+1] + color + s[i+1:end] + ansiReset + s[end:]
}

// paintBanner: "(sensor)"/"(server)" and http(s) URLs.
func paintBanner(s string) string {
	s = strings.ReplaceAll(s, "(sensor)", "("+ansiBoldLightGreen+"sensor"+ansiReset+")")
	s = strings.ReplaceAll(s, "(server)", "("+ansiBoldLightMag+"server"+ansiReset+")")
	// https?://[\w.:/?=]+
	var b strings.Builder
	for i := 0; i < len(s); {
		var n int
		switch {
		case strings.HasPrefix(s[i:], "http://"):
			n = len("http://")
		case strings.HasPrefix(s[i:], "https://"):
			n = len("https://")
		}
		if n == 0 {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i + n
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if !isPyWord(r) && !strings.ContainsRune(".:/?=", r) {
				break
			}
			j += size
		}
		if j == i+n {
			b.WriteByte(s[i])
			i++
			continue
		}
		b.WriteString(ansiBlue + ansiUnderline)
		b.WriteString(s[i:j])
		b.WriteString(ansiReset)
		i = j
	}
	return b.String()
}

// paintUsage: (.*Usage: )(.+) on every line, i.e. the rest of the line after
// its last "Usage: " that still has text after it.
func paintUsage(s string) string {
	var b strings.Builder
	first := true
	for line := range strings.SplitSeq(s, "\n") {
		if !first {
			b.WriteByte('\n')
		}
		first = false
		if k := lastUsage(line); k >= 0 {
			b.WriteString(line[:k])
			b.WriteString(ansiBoldWhite)
			b.WriteString(line[k:])
			b.WriteString(ansiReset)
		} else {
			b.WriteString(line)
		}
	}
	return b.String()
}

// lastUsage returns where the text after the last "Usage: " of line with
// something after it starts, or -1.
func lastUsage(line string) int {
	const marker = "Usage: "
	for end := len(line); ; {
		k := strings.LastIndex(line[:end], marker)
		if k < 0 {
			return -1
		}
		if k+len(marker) < len(line) {
			return k + len(marker)
		}
		end = k
	}
}

// paintTypes: (TCP|UDP|ICMP) ([A-Z]+) -> the type on its background colour.
func paintTypes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		p := 0
		for _, proto := range [...]string{"TCP", "UDP", "ICMP"} {
			if strings.HasPrefix(s[i:], proto+" ") {
				p = len(proto)
				break
			}
		}
		j := i + p + 1
		k := j
		for p > 0 && k < len(s) && s[k] >= 'A' && s[k] <= 'Z' {
			k++
		}
		if p == 0 || k == j {
			b.WriteByte(s[i])
			i++
			continue
		}
		b.WriteString(s[i:j])
		b.WriteString(typeColor(s[j:k]))
		b.WriteString(s[j:k])
		b.WriteString(ansiReset)
		i = k
	}
	return b.String()
}

// paintFirstQuoted: the first "([^"]+)" (the timestamp of an event line).
func paintFirstQuoted(s string) string {
	for p := strings.IndexByte(s, '"'); p >= 0; {
		q := strings.IndexByte(s[p+1:], '"')
		if q < 0 {
			return s
		}
		q += p + 1
		if q > p+1 {
			return s[:p+1] + ansiLightGray + s[p+1:q] + ansiReset + s[q:]
		}
		p = q
	}
	return s
}

// paintInfoClasses: (malware|suspicious|malicious) in its class colour.
func paintInfoClasses(s string) string {
	for _, class := range [...]string{"malware", "suspicious", "malicious"} {
		s = strings.ReplaceAll(s, "("+class+")", "("+infoColor(class)+class+ansiReset+")")
	}
	return s
}

// paintParens: \(([^)]+)\) in light grey unless the content is a bare class
// word (which the previous step already painted, so never in practice).
func paintParens(s string) string {
	var b strings.Builder
	i := 0
	for {
		p := strings.IndexByte(s[i:], '(')
		if p < 0 {
			break
		}
		p += i
		q := strings.IndexByte(s[p+1:], ')')
		if q < 0 {
			break
		}
		q += p + 1
		if q == p+1 {
			b.WriteString(s[i : p+1])
			i = p + 1
			continue
		}
		b.WriteString(s[i : p+1])
		inner := s[p+1 : q]
		if infoColor(inner) != "" {
			b.WriteString(inner)
		} else {
			b.WriteString(ansiLightGray + inner + ansiReset)
		}
		b.WriteByte(')')
		i = q + 1
	}
	b.WriteString(s[i:])
	return b.String()
}

// paintSingleQuoted: for every [^\w]'([^']+)' in the text as it stands, every
// occurrence of that quoted value is painted (Python's str.replace).
func paintSingleQuoted(s string) string {
	var values []string
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if isPyWord(r) || i+n >= len(s) || s[i+n] != '\'' {
			i += n
			continue
		}
		open := i + n
		q := strings.IndexByte(s[open+1:], '\'')
		if q <= 0 {
			i += n
			continue
		}
		values = append(values, s[open+1:open+1+q])
		i = open + 1 + q + 1
	}
	for _, v := range values {
		s = strings.ReplaceAll(s, "'"+v+"'", "'"+ansiLightGray+v+ansiReset+"'")
	}
	return s
}
