package event

import "strconv"

// CEF header constants: Maltrail's, so SIEM parsers written for Maltrail
// sensors keep working unchanged.
const (
	CEFVendor  = "Maltrail"
	CEFProduct = "sensor"
)

var monthAbbrev = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// AppendCEF appends the event as Maltrail's CEF syslog record (no trailing
// newline), e.g.
//
//	Dec 24 15:05:55 beast CEF:0|Maltrail|sensor|0.27.68|2020-12-24|andromeda (malware)|2|src=192.168.5.137 spt=60453 dst=8.8.8.8 dpt=53 trail=morphed.ru ref=(static)
//
// The syslog time is e.Time in its own location. hostname and version go
// into the header as given; trailsDate is the signature id (Maltrail uses
// the trails file's change date). Severity is SeverityOf as 0/1/2. Header
// values escape '\' and '|', extension values '\' and '='; CR and LF
// become spaces. Maltrail leaves src/spt/dst/dpt unescaped; Spoor escapes
// them too, which changes nothing for addresses and ports. A summarised
// event (Count > 1) gets a trailing "cnt=N", CEF's base event count.
func (e *Event) AppendCEF(dst []byte, hostname, version, trailsDate string) []byte {
	t := e.Time
	_, month, day := t.Date()
	dst = append(dst, monthAbbrev[month-1]...)
	dst = append(dst, ' ')
	dst = appendPadded(dst, day, 2)
	dst = append(dst, ' ')
	dst = appendClock(dst, t)
	dst = append(dst, ' ')
	dst = append(dst, hostname...)
	dst = append(dst, " CEF:0|"+CEFVendor+"|"+CEFProduct+"|"...)
	dst = append(dst, version...)
	dst = append(dst, '|')
	dst = append(dst, trailsDate...)
	dst = append(dst, '|')
	dst = appendCEFEscaped(dst, e.Info, false)
	dst = append(dst, '|', SeverityOf(e.Info, e.Reference).cef(), '|')

	dst = append(dst, "src="...)
	dst = appendCEFEscaped(dst, e.SrcIP, true)
	dst = append(dst, " spt="...)
	dst = appendCEFEscaped(dst, portValue(e.SrcPort).text, true)
	dst = append(dst, " dst="...)
	dst = appendCEFEscaped(dst, e.DstIP, true)
	dst = append(dst, " dpt="...)
	dst = appendCEFEscaped(dst, portValue(e.DstPort).text, true)
	dst = append(dst, " trail="...)
	dst = appendCEFEscaped(dst, e.Trail, true)
	dst = append(dst, " ref="...)
	dst = appendCEFEscaped(dst, e.Reference, true)
	if e.Count > 1 {
		dst = append(dst, " cnt="...)
		dst = strconv.AppendInt(dst, int64(e.Count), 10)
	}
	return dst
}

// appendCEFEscaped is core/log.py _cef_escape: backslash always, then '='
// in an extension value or '|' in a header field; CR/LF flattened.
func appendCEFEscaped(dst []byte, v string, extension bool) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\':
			dst = append(dst, '\\', '\\')
		case c == '=' && extension, c == '|' && !extension:
			dst = append(dst, '\\', c)
		case c == '\r' || c == '\n':
			dst = append(dst, ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
