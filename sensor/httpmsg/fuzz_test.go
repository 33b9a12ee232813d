package httpmsg

import (
	"bytes"
	"testing"
)

// seedSegments adds the crafted cases and the first TCP payloads of every
// capture in the test data to a fuzz corpus.
func seedSegments(f *testing.F, crafted []string) {
	for _, c := range crafted {
		f.Add([]byte(c))
	}
	for _, path := range allCaptures(f) {
		for i, seg := range readTCP(f, path) {
			if i == 32 {
				break
			}
			f.Add(seg.payload)
		}
	}
}

// within reports whether sub is nil or a subslice of b.
func within(b, sub []byte) bool {
	if sub == nil {
		return true
	}
	if len(sub) == 0 {
		return cap(sub) <= cap(b)
	}
	off := cap(b) - cap(sub)
	return off >= 0 && off+len(sub) <= len(b) && &b[off] == &sub[0]
}

func FuzzHTTPRequest(f *testing.F) {
	var crafted []string
	for _, tc := range requestCases() {
		crafted = append(crafted, tc.payload)
	}
	seedSegments(f, crafted)
	var r Request
	f.Fuzz(func(t *testing.T, payload []byte) {
		if !r.Parse(payload) {
			return
		}
		for _, field := range [][]byte{r.Method, r.Target, r.Version, r.Host, r.UserAgent, r.ContentType, r.ForwardedFor, r.Body} {
			if !within(payload, field) {
				t.Fatalf("field %q does not alias the payload", field)
			}
		}
		if len(r.Method) == 0 || len(r.Target) == 0 || !bytes.HasPrefix(r.Version, []byte("HTTP/")) {
			t.Fatalf("accepted request line %q %q %q", r.Method, r.Target, r.Version)
		}
		if r.ForwardedFor != nil && !isIPv4(r.ForwardedFor) {
			t.Fatalf("ForwardedFor %q is not IPv4", r.ForwardedFor)
		}
	})
}

func FuzzHTTPResponse(f *testing.F) {
	var crafted []string
	for _, tc := range responseCases() {
		crafted = append(crafted, tc.payload)
	}
	seedSegments(f, crafted)
	var r Response
	f.Fuzz(func(t *testing.T, payload []byte) {
		if !r.Parse(payload) {
			return
		}
		for _, field := range [][]byte{r.Version, r.ContentType, r.Title, r.Head} {
			if !within(payload, field) {
				t.Fatalf("field %q does not alias the payload", field)
			}
		}
		if len(r.Head) > HeadLen || r.Status < 0 || r.Status > 999 {
			t.Fatalf("Head %d bytes, Status %d", len(r.Head), r.Status)
		}
	})
}
