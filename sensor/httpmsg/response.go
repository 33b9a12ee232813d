package httpmsg

import "bytes"

// HeadLen is how much of a response Maltrail's sinkhole and title checks
// look at (tcp_data[:2000]).
const HeadLen = 2000

// Response is the start of an HTTP response as captured in one TCP
// segment. All slices alias the payload given to Parse.
type Response struct {
	// Version is the status line up to its first space ("HTTP/1.1").
	Version []byte
	// Status is the three-digit status code, or 0 when the status line
	// does not carry one.
	Status int
	// ContentType is the first Content-Type header's value (name matched
	// case-insensitively, only in the header block, line end captured),
	// trimmed of whitespace but not lowercased.
	ContentType []byte
	// Title is the text between the first <title> and the next </title>
	// (tags matched case-insensitively, where Maltrail matches them
	// verbatim) when both lie within Head; nil otherwise.
	Title []byte
	// Head is the first min(len(payload), HeadLen) bytes, for the sinkhole
	// regex.
	Head []byte
}

// Parse decodes payload, the start of a TCP segment, and reports whether
// it is an HTTP response: like Maltrail, whether it starts with "HTTP/".
// Parse resets r first.
func (r *Response) Parse(payload []byte) bool {
	*r = Response{}
	if !bytes.HasPrefix(payload, httpSlash) {
		return false
	}
	r.Head = payload[:min(len(payload), HeadLen)]
	r.Title = title(r.Head)

	eol := indexCRLF(payload)
	line := payload
	if eol >= 0 {
		line = payload[:eol]
	}
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 {
		r.Version = line
	} else {
		r.Version = line[:sp]
		r.Status = statusCode(line[sp+1:])
	}
	if eol < 0 {
		return true
	}
	h := headerLines{rest: payload[eol+2:]}
	for {
		line, ok := h.next()
		if !ok {
			break
		}
		if lowerFirst(line) != 'c' {
			continue
		}
		if v, ok := headerValue(line, "content-type"); ok {
			r.ContentType = v
			break
		}
	}
	return true
}

// statusCode reads the three digits at the start of s, which must be
// followed by a space or end the line.
func statusCode(s []byte) int {
	if len(s) < 3 || (len(s) > 3 && s[3] != ' ') {
		return 0
	}
	code := 0
	for _, c := range s[:3] {
		if c < '0' || c > '9' {
			return 0
		}
		code = code*10 + int(c-'0')
	}
	return code
}

// title returns the text between <title> and </title> in head, matching
// the tags case-insensitively, or nil.
func title(head []byte) []byte {
	start := indexFold(head, "<title>")
	if start < 0 {
		return nil
	}
	text := head[start+len("<title>"):]
	end := indexFold(text, "</title>")
	if end < 0 {
		return nil
	}
	return text[:end]
}

// indexFold returns the index of the first instance of the lowercase ASCII
// tag in s, ignoring ASCII case in s, or -1. tag starts with '<', which
// has no case, so candidates are found with IndexByte.
func indexFold(s []byte, tag string) int {
	for i := 0; ; {
		j := bytes.IndexByte(s[i:], '<')
		if j < 0 {
			return -1
		}
		i += j
		if len(s)-i < len(tag) {
			return -1
		}
		if equalFold(s[i:i+len(tag)], tag) {
			return i
		}
		i++
	}
}
