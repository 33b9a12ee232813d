package event

import (
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends the event as Maltrail's LOGSTASH_SERVER JSON object
// (no trailing newline), byte-identical to Python's json.dumps of its
// OrderedDict: keys timestamp, sensor, severity, src_ip, src_port, dst_ip,
// dst_port, proto, type, trail, info, reference in that order, ", " and
// ": " separators, non-ASCII escaped as \uXXXX. Ports, and the trail of a
// PORT event, are numbers when Maltrail would hold an int; a missing port
// is "-". timestamp is Unix seconds; sensor is hostname.
//
// Spoor additions follow "reference" only when set, so an ordinary event
// is unchanged: "count" (the number of events a summarised or condensed
// event stands for) when Count > 1, then each non-zero Context field under
// its json tag name (dns_qtype, dns_rcode, http_method, http_host,
// http_uri, http_user_agent, tls_sni, ja4, cert_sha1) as a flat key.
func (e *Event) AppendJSON(dst []byte, hostname string) []byte {
	dst = append(dst, `{"timestamp": `...)
	dst = strconv.AppendInt(dst, e.Time.Unix(), 10)
	dst = appendJSONKey(dst, "sensor")
	dst = appendJSONString(dst, hostname)
	dst = appendJSONKey(dst, "severity")
	dst = appendJSONString(dst, SeverityOf(e.Info, e.Reference).String())
	dst = appendJSONKey(dst, "src_ip")
	dst = appendJSONString(dst, e.SrcIP)
	dst = appendJSONKey(dst, "src_port")
	dst = appendJSONValue(dst, portValue(e.SrcPort))
	dst = appendJSONKey(dst, "dst_ip")
	dst = appendJSONString(dst, e.DstIP)
	dst = appendJSONKey(dst, "dst_port")
	dst = appendJSONValue(dst, portValue(e.DstPort))
	dst = appendJSONKey(dst, "proto")
	dst = appendJSONString(dst, e.Proto)
	dst = appendJSONKey(dst, "type")
	dst = appendJSONString(dst, string(e.Type))
	dst = appendJSONKey(dst, "trail")
	dst = appendJSONValue(dst, e.trailValue())
	dst = appendJSONKey(dst, "info")
	dst = appendJSONString(dst, e.Info)
	dst = appendJSONKey(dst, "reference")
	dst = appendJSONString(dst, e.Reference)

	if e.Count > 1 {
		dst = appendJSONKey(dst, "count")
		dst = strconv.AppendInt(dst, int64(e.Count), 10)
	}
	c := &e.Context
	if c.DNSQType != 0 {
		dst = appendJSONKey(dst, "dns_qtype")
		dst = strconv.AppendUint(dst, uint64(c.DNSQType), 10)
	}
	if c.DNSRcode != 0 {
		dst = appendJSONKey(dst, "dns_rcode")
		dst = strconv.AppendInt(dst, int64(c.DNSRcode), 10)
	}
	for _, f := range [...]struct{ key, val string }{
		{"http_method", c.HTTPMethod},
		{"http_host", c.HTTPHost},
		{"http_uri", c.HTTPURI},
		{"http_user_agent", c.HTTPUserAgent},
		{"tls_sni", c.TLSSNI},
		{"ja4", c.JA4},
		{"cert_sha1", c.CertSHA1},
	} {
		if f.val != "" {
			dst = appendJSONKey(dst, f.key)
			dst = appendJSONString(dst, f.val)
		}
	}
	return append(dst, '}')
}

func appendJSONKey(dst []byte, key string) []byte {
	dst = append(dst, ", \""...)
	dst = append(dst, key...)
	return append(dst, "\": "...)
}

func appendJSONValue(dst []byte, v pyValue) []byte {
	if v.isInt {
		return append(dst, v.text...)
	}
	return appendJSONString(dst, v.text)
}

// appendJSONString quotes v as json.dumps does with ensure_ascii: every
// byte outside printable ASCII is escaped, non-BMP runes as surrogate
// pairs. Invalid UTF-8 becomes U+FFFD.
func appendJSONString(dst []byte, v string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(v); {
		c := v[i]
		if c >= 0x20 && c < 0x7f {
			if c == '"' || c == '\\' {
				dst = append(dst, '\\')
			}
			dst = append(dst, c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch c {
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = appendUEscape(dst, rune(c))
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(v[i:])
		i += size
		if r > 0xffff {
			r -= 0x10000
			dst = appendUEscape(dst, 0xd800+(r>>10))
			dst = appendUEscape(dst, 0xdc00+(r&0x3ff))
			continue
		}
		dst = appendUEscape(dst, r)
	}
	return append(dst, '"')
}

func appendUEscape(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}
