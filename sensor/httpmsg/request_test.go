package httpmsg

import (
	"fmt"
	"reflect"
	"strconv"
	"testing"

	"github.com/spoorsec/spoor/internal/shared"
)

func testdataDir(tb testing.TB) string { return shared.Testdata(tb) }

// wantRequest is Request with strings, so expectations read naturally and
// nil (absent) differs from "" (present, empty) through the pointer.
type wantRequest struct {
	method, target, version         string
	host, userAgent, contentType    *string
	forwardedFor, body              *string
	hasHost, hasUserAgent, isParsed bool
}

func s(v string) *string { return &v }

func str(b []byte) *string {
	if b == nil {
		return nil
	}
	return s(string(b))
}

func viewRequest(ok bool, r *Request) wantRequest {
	return wantRequest{
		method: string(r.Method), target: string(r.Target), version: string(r.Version),
		host: str(r.Host), userAgent: str(r.UserAgent), contentType: str(r.ContentType),
		forwardedFor: str(r.ForwardedFor), body: str(r.Body),
		hasHost: r.HasHost, hasUserAgent: r.HasUserAgent, isParsed: ok,
	}
}

func requestCases() []struct {
	name    string
	payload string
	want    wantRequest
} {
	get := func(target string) wantRequest {
		return wantRequest{method: "GET", target: target, version: "HTTP/1.1", isParsed: true}
	}
	with := func(w wantRequest, f func(*wantRequest)) wantRequest { f(&w); return w }
	return []struct {
		name    string
		payload string
		want    wantRequest
	}{
		{"minimal", "GET / HTTP/1.1\r\n", get("/")},
		{"headers and empty body", "GET /x HTTP/1.1\r\nHost: evil.example\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n\r\n",
			with(get("/x"), func(w *wantRequest) {
				w.host, w.hasHost, w.userAgent, w.hasUserAgent, w.body = s("evil.example"), true, s("curl/8.0"), true, s("")
			})},
		{"header names ignore case", "GET / HTTP/1.1\r\nHOST: a.example\r\nuser-AGENT: UA\r\ncontent-type: text/plain\r\n\r\n",
			with(get("/"), func(w *wantRequest) {
				w.host, w.hasHost, w.userAgent, w.hasUserAgent, w.contentType, w.body = s("a.example"), true, s("UA"), true, s("text/plain"), s("")
			})},
		{"values trimmed", "GET / HTTP/1.1\r\nHost: \t a.example:80 \t\r\n",
			with(get("/"), func(w *wantRequest) { w.host, w.hasHost = s("a.example:80"), true })},
		{"empty user agent", "GET / HTTP/1.0\r\nUser-Agent:\r\n\r\n",
			wantRequest{method: "GET", target: "/", version: "HTTP/1.0", userAgent: s(""), hasUserAgent: true, body: s(""), isParsed: true}},
		{"first duplicate wins", "GET / HTTP/1.1\r\nHost: first\r\nHost: second\r\n",
			with(get("/"), func(w *wantRequest) { w.host, w.hasHost = s("first"), true })},
		{"unterminated header line is absent", "GET / HTTP/1.1\r\nUser-Agent: a\r\nHost: cut.exam",
			with(get("/"), func(w *wantRequest) { w.userAgent, w.hasUserAgent = s("a"), true })},
		{"space before colon is another header", "GET / HTTP/1.1\r\nHost : x\r\n",
			get("/")},
		{"headers in the body are ignored", "POST /f HTTP/1.1\r\nContent-Length: 20\r\n\r\n\r\nHost: in.body\r\n",
			wantRequest{method: "POST", target: "/f", version: "HTTP/1.1", body: s("\r\nHost: in.body\r\n"), isParsed: true}},
		{"post body", "POST /submit HTTP/1.1\r\nHost: postsqli.example\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nq=1 UNION ALL SELECT pwd FROM users",
			wantRequest{method: "POST", target: "/submit", version: "HTTP/1.1", host: s("postsqli.example"), hasHost: true,
				contentType: s("application/x-www-form-urlencoded"), body: s("q=1 UNION ALL SELECT pwd FROM users"), isParsed: true}},
		{"absolute uri", "GET http://proxycheck.example/probe HTTP/1.1\r\n", get("http://proxycheck.example/probe")},
		{"connect", "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n",
			wantRequest{method: "CONNECT", target: "evil.example:443", version: "HTTP/1.1", host: s("evil.example:443"), hasHost: true, body: s(""), isParsed: true}},
		{"method not validated", "get /lower HTTP/1.0\r\n", wantRequest{method: "get", target: "/lower", version: "HTTP/1.0", isParsed: true}},
		{"x-forwarded-for list", "GET / HTTP/1.1\r\nX-Forwarded-For: 203.0.113.7, 10.0.0.1\r\n",
			with(get("/"), func(w *wantRequest) { w.forwardedFor = s("203.0.113.7") })},
		{"x-forwarded-for skips non-ipv4", "GET / HTTP/1.1\r\nx-forwarded-for: unknown, 2001:db8::1,198.51.100.2\r\n",
			with(get("/"), func(w *wantRequest) { w.forwardedFor = s("198.51.100.2") })},
		{"first forwarding header wins", "GET / HTTP/1.1\r\nCF-Connecting-IP: 192.0.2.1\r\nX-Forwarded-For: 192.0.2.2\r\n",
			with(get("/"), func(w *wantRequest) { w.forwardedFor = s("192.0.2.1") })},
		{"true-client-ip with leading zeros", "GET / HTTP/1.1\r\nTrue-Client-IP: 10.000.000.03\r\n",
			with(get("/"), func(w *wantRequest) { w.forwardedFor = s("10.000.000.03") })},
		{"no ipv4 in forwarding header", "GET / HTTP/1.1\r\nX-Forwarded-For: 999.1.1.1, 1.2.3, 1.2.3.4.5\r\nTrue-Client-IP: 192.0.2.9\r\n",
			with(get("/"), func(w *wantRequest) { w.forwardedFor = s("192.0.2.9") })},

		{"no crlf", "GET / HTTP/1.1", wantRequest{}},
		{"bare lf", "GET / HTTP/1.0\nUser-Agent:\n\n", wantRequest{}},
		{"http/0.9", "GET /\r\n", wantRequest{}},
		{"three spaces", "GET /a b HTTP/1.1\r\n", wantRequest{}},
		{"empty method", " / HTTP/1.1\r\n", wantRequest{}},
		{"empty target", "GET  HTTP/1.1\r\n", wantRequest{}},
		{"version not http", "GET / FTP/1.0\r\n", wantRequest{}},
		{"version after the first space only", "GET HTTP/1.1 x\r\n", wantRequest{}},
		{"response line", "HTTP/1.1 200 OK\r\n\r\n", wantRequest{}},
		{"tls record", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 HTTP/ \r\n", wantRequest{}},
		{"empty", "", wantRequest{}},
	}
}

func TestRequestParse(t *testing.T) {
	for _, tc := range requestCases() {
		t.Run(tc.name, func(t *testing.T) {
			var r Request
			if got := viewRequest(r.Parse([]byte(tc.payload)), &r); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse(%q):\ngot  %s\nwant %s", tc.payload, formatRequest(got), formatRequest(tc.want))
			}
		})
	}
}

func formatRequest(w wantRequest) string {
	f := func(p *string) string {
		if p == nil {
			return "<nil>"
		}
		return strconv.Quote(*p)
	}
	return fmt.Sprintf("parsed=%v method=%q target=%q version=%q host=%s ua=%s ct=%s fwd=%s body=%s hasHost=%v hasUA=%v",
		w.isParsed, w.method, w.target, w.version, f(w.host), f(w.userAgent), f(w.contentType), f(w.forwardedFor), f(w.body),
		w.hasHost, w.hasUserAgent)
}

// TestRequestReset checks that a failed Parse leaves nothing from the
// previous request behind.
func TestRequestReset(t *testing.T) {
	var r Request
	if !r.Parse([]byte("GET / HTTP/1.1\r\nHost: a\r\n\r\nbody")) {
		t.Fatal("got false for a request")
	}
	if r.Parse([]byte("not http")) {
		t.Fatal("got true for a non-request")
	}
	if !reflect.DeepEqual(r, Request{}) {
		t.Errorf("got %+v after a failed Parse, want the zero Request", r)
	}
}

func TestRequestAllocs(t *testing.T) {
	var r Request
	for _, tc := range requestCases() {
		payload := []byte(tc.payload)
		if allocs := testing.AllocsPerRun(100, func() { r.Parse(payload) }); allocs != 0 {
			t.Errorf("%s: got %v allocs per Parse, want 0", tc.name, allocs)
		}
	}
}
