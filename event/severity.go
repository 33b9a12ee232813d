package event

import "strings"

// Severity is how bad an event is, as Maltrail's outbound channels (CEF,
// JSON, alert webhook) classify it.
type Severity uint8

// Severities; the zero value is not a valid severity.
const (
	Low    Severity = 1
	Medium Severity = 2
	High   Severity = 3
)

// String returns "low", "medium" or "high" ("" for an invalid value).
func (s Severity) String() string {
	switch s {
	case Low:
		return "low"
	case Medium:
		return "medium"
	case High:
		return "high"
	}
	return ""
}

// cef is the CEF header severity Maltrail sends: 0, 1 or 2.
func (s Severity) cef() byte {
	if s < Low || s > High {
		return '1'
	}
	return byte('0' + s - Low)
}

// SeverityOf classifies an event. A reference naming a custom feed,
// "(custom)" or "(remote custom)", is high, as in Maltrail's UI. Otherwise
// the info text is searched as Maltrail's shipped REMOTE_SEVERITY_REGEX does
//
//	(?P<high>(remote )?custom\)|malwaredomainlist|iot-malware|malware(?! (distribution|site))|adversary|ransomware)|
//	(?P<medium>potential malware site|malware distribution|c2 cert)|
//	(?P<low>mass scanner|reputation|attacker|spammer|compromised|crawler|scanning)
//
// case-sensitively: the leftmost match decides, and at one position the
// high alternatives are tried before medium before low. No match is medium.
// It is a hand-written scanner because it runs for every event sent to a
// SIEM; severity_test.go checks it against the regex itself.
func SeverityOf(info, reference string) Severity {
	if strings.Contains(reference, "(custom)") || strings.Contains(reference, "(remote custom)") {
		return High
	}
	for i := 0; i < len(info); i++ {
		if s := severityAt(info[i:]); s != 0 {
			return s
		}
	}
	return Medium
}

// severityAt reports which REMOTE_SEVERITY_REGEX group matches at the start
// of s, or 0. Alternatives are grouped by first byte; within a byte they
// are listed in the regex's order, high before medium before low.
func severityAt(s string) Severity {
	has := func(p string) bool { return strings.HasPrefix(s, p) }
	switch s[0] {
	case 'r':
		switch {
		case has("remote custom)"), has("ransomware"):
			return High
		case has("reputation"):
			return Low
		}
	case 'c':
		switch {
		case has("custom)"):
			return High
		case has("c2 cert"):
			return Medium
		case has("compromised"), has("crawler"):
			return Low
		}
	case 'm':
		switch {
		case has("malwaredomainlist"):
			return High
		case has("malware"):
			rest := s[len("malware"):]
			if !strings.HasPrefix(rest, " distribution") && !strings.HasPrefix(rest, " site") {
				return High
			}
			if strings.HasPrefix(rest, " distribution") {
				return Medium
			}
		case has("mass scanner"):
			return Low
		}
	case 'i':
		if has("iot-malware") {
			return High
		}
	case 'a':
		switch {
		case has("adversary"):
			return High
		case has("attacker"):
			return Low
		}
	case 'p':
		if has("potential malware site") {
			return Medium
		}
	case 's':
		if has("spammer") || has("scanning") {
			return Low
		}
	}
	return 0
}
