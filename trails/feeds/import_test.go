package feeds

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// importNow is the clock of the import tests: the day after the newest recorded event.
var importNow = time.Date(2024, 1, 12, 0, 0, 0, 0, time.UTC)

func importClient(t *testing.T) *Client {
	c := newTestClient(t, Config{Retries: -1})
	c.now = func() time.Time { return importNow }
	return c
}

var wantMISP = []string{
	"old-phish.example|osint - old phishing campaign|misp-test",
	"45.9.20.7|emotet (malware)|misp-test",
	"103.124.104.143:8080|emotet (malware)|misp-test",
	"emotet-c2.example|emotet (malware)|misp-test",
	"emotet-dl.example.com/wp-content/x|emotet (malware)|misp-test",
	"abcdef0123456789abcdef0123456789abcdef01|emotet (malware)|misp-test",
	"2001:db8:dead::1|emotet (malware)|misp-test",
	"ta542-panel.example|ta542 (adversary)|misp-test",
	"obj-domain.example|emotet (malware)|misp-test",
	"45.9.20.8|emotet (malware)|misp-test",
	"dip.example|suspicious ips from honeypot|misp-test",
	"45.9.20.9|suspicious ips from honeypot|misp-test",
	"45.9.21.0/24|suspicious ips from honeypot|misp-test",
	"hp.example|suspicious ips from honeypot|misp-test",
}

func TestImportMISP(t *testing.T) {
	srv := newFeedServer(t)
	c := importClient(t)
	withAll := slices.Insert(slices.Clone(wantMISP), 5, "cdn.emotet-dl.example.com|emotet (malware)|misp-test")
	tests := []struct {
		name string
		loc  string
		opts ImportOptions
		want []string
	}{
		{"url", srv.URL + "/misp", ImportOptions{Reference: "misp-test"}, wantMISP},
		{"manifest url", srv.URL + "/misp/manifest.json", ImportOptions{Reference: "misp-test"}, wantMISP},
		{"directory", filepath.Join("testdata", "misp"), ImportOptions{Reference: "misp-test"}, wantMISP},
		{"manifest file", filepath.Join("testdata", "misp", "manifest.json"), ImportOptions{Reference: "misp-test"}, wantMISP},
		{"max age", srv.URL + "/misp/", ImportOptions{Reference: "misp-test", MaxAge: 30 * 24 * time.Hour}, wantMISP[1:]},
		{"all attributes", srv.URL + "/misp", ImportOptions{Reference: "misp-test", AllAttributes: true}, withAll},
		{"one event", filepath.Join("testdata", "misp", "5c78f4a0-1a2c-4d3e-9f00-0a1b2c3d4e5f.json"),
			ImportOptions{Reference: "misp-test"}, wantMISP[:1]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.ImportMISP(context.Background(), tt.loc, tt.opts)
			if r.Err != nil {
				t.Fatalf("Err = %v, want nil", r.Err)
			}
			if !r.Feed.Curated {
				t.Errorf("Feed.Curated = false, want true")
			}
			if got := trailStrings(r.Feed.Trails); !slices.Equal(got, tt.want) {
				t.Errorf("trails =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestImportMISPFailures(t *testing.T) {
	srv := newFeedServer(t)
	c := importClient(t)
	dir := t.TempDir()
	// A manifest naming one event that exists and one that does not.
	manifest := `{"5c78f4a0-1a2c-4d3e-9f00-0a1b2c3d4e5f": {"date": "2024-01-01", "timestamp": 1},
		"00000000-0000-4000-8000-000000000000": {"date": "2024-01-01", "timestamp": 2}}`
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	event, err := os.ReadFile(filepath.Join("testdata", "misp", "5c78f4a0-1a2c-4d3e-9f00-0a1b2c3d4e5f.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "5c78f4a0-1a2c-4d3e-9f00-0a1b2c3d4e5f.json"), event, 0o600); err != nil {
		t.Fatal(err)
	}
	r := c.ImportMISP(context.Background(), dir, ImportOptions{})
	if r.Err == nil || !strings.Contains(r.Err.Error(), "00000000-0000-4000-8000-000000000000") {
		t.Errorf("Err = %v, want the missing event named", r.Err)
	}
	if len(r.Feed.Trails) != 1 || r.Feed.Trails[0].Reference != filepath.Base(dir) {
		t.Errorf("trails = %v, want the one of the event present, reference %q", r.Feed.Trails, filepath.Base(dir))
	}
	for _, loc := range []string{srv.URL + "/nothing-here", filepath.Join(dir, "missing")} {
		if r := c.ImportMISP(context.Background(), loc, ImportOptions{}); r.Err == nil {
			t.Errorf("ImportMISP(%s) Err = nil, want one", loc)
		}
	}
}

var wantSTIX = []string{
	"evil-emotet.example|emotet (malware)|stix-test",
	"45.9.20.7|apt28 (adversary)|stix-test",
	"2001:db8::7|apt28 (adversary)|stix-test",
	"phish.example.net/login|phishing page login|stix-test",
	"0123456789abcdef0123456789abcdef01234567|malicious (stix)|stix-test",
	"45.9.22.0/24|scanning network|stix-test",
	"a.example|batch|stix-test",
	"b.example|batch|stix-test",
	"old.example|old but valid|stix-test",
}

func TestImportSTIX(t *testing.T) {
	srv := newFeedServer(t)
	c := importClient(t)
	tests := []struct {
		name string
		loc  string
		opts ImportOptions
		want []string
	}{
		{"url", srv.URL + "/stix/bundle.json", ImportOptions{Reference: "stix-test"}, wantSTIX},
		{"file", filepath.Join("testdata", "stix", "bundle.json"), ImportOptions{Reference: "stix-test"}, wantSTIX},
		{"max age", srv.URL + "/stix/bundle.json", ImportOptions{Reference: "stix-test", MaxAge: 365 * 24 * time.Hour}, wantSTIX[:8]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.ImportSTIX(context.Background(), tt.loc, tt.opts)
			if r.Err != nil {
				t.Fatalf("Err = %v, want nil", r.Err)
			}
			if got := trailStrings(r.Feed.Trails); !slices.Equal(got, tt.want) {
				t.Errorf("trails =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
	if r := c.ImportSTIX(context.Background(), srv.URL+"/stix/bundle.json", ImportOptions{}); r.Err != nil ||
		r.Feed.Trails[0].Reference != "127.0.0.1" {
		t.Errorf("default reference = %v (err %v), want the host, 127.0.0.1", r.Feed.Trails[0].Reference, r.Err)
	}
	for _, body := range []string{`{"type": "indicator"}`, `not json`} {
		if _, err := ParseSTIXBundle([]byte(body), "x", importNow, ImportOptions{}); err == nil {
			t.Errorf("ParseSTIXBundle(%s) = nil error, want one", body)
		}
	}
}

func TestPatternValues(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string // path op value
		err     bool
	}{
		{"[domain-name:value = 'evil.example']", []string{"domain-name:value = evil.example"}, false},
		{"[domain-name:value = 'it\\'s.example']", []string{"domain-name:value = it's.example"}, false},
		{"[ipv4-addr:value = '1.2.3.4' OR ipv4-addr:value = '5.6.7.8']",
			[]string{"ipv4-addr:value = 1.2.3.4", "ipv4-addr:value = 5.6.7.8"}, false},
		{"[ipv4-addr:value = '1.2.3.4' AND network-traffic:dst_port = 443]", nil, false},
		{"([url:value = 'http://a.example/x'] OR [url:value = 'http://b.example/y']) START t'2024-01-01T00:00:00Z' STOP t'2024-02-01T00:00:00Z'",
			[]string{"url:value = http://a.example/x", "url:value = http://b.example/y"}, false},
		{"[domain-name:value = 'a.example'] AND [domain-name:value = 'b.example']", nil, false},
		{"[domain-name:value = 'a.example'] FOLLOWEDBY [domain-name:value = 'b.example']", nil, false},
		{"[domain-name:value = 'a.example'] REPEATS 5 TIMES", nil, false},
		{"[domain-name:value = 'a.example'] WITHIN 60 SECONDS", []string{"domain-name:value = a.example"}, false},
		{"[domain-name:value NOT = 'a.example']", nil, false},
		{"[domain-name:value != 'a.example']", nil, false},
		{"[domain-name:value LIKE '%.example']", nil, false},
		{"[domain-name:value MATCHES '^a']", nil, false},
		{"[domain-name:value IN ('a.example', 'b.example', 3)]", []string{"domain-name:value IN a.example", "domain-name:value IN b.example"}, false},
		{"[ipv4-addr:value ISSUBSET '10.0.0.0/8']", []string{"ipv4-addr:value ISSUBSET 10.0.0.0/8"}, false},
		{"[x509-certificate:hashes.'SHA-1' = 'ab']", []string{"x509-certificate:hashes.'SHA-1' = ab"}, false},
		{"[file:hashes.'SHA-256' = 'ab' OR (domain-name:value = 'c.example')]",
			[]string{"file:hashes.'SHA-256' = ab", "domain-name:value = c.example"}, false},
		{"[EXISTS windows-registry-key:values[*].name] OR [domain-name:value = 'd.example']",
			[]string{"domain-name:value = d.example"}, false},
		{"[network-traffic:src_port > 1024]", nil, false},
		{"[domain-name:value = 'x'", nil, true},
		{"[domain-name:value = 'x]", nil, true},
		{"domain-name:value = 'x'", nil, true},
		{"[domain-name:value 'x']", nil, true},
		{"[domain-name:value = 'x'] trailing", nil, true},
		{"[domain-name:value = 'x'] START t'2024-01-01T00:00:00Z'", nil, true},
		{strings.Repeat("(", 200) + "[domain-name:value = 'x']" + strings.Repeat(")", 200), nil, true},
		{"", nil, true},
	}
	for _, tt := range tests {
		vals, err := patternValues(tt.pattern)
		if (err != nil) != tt.err {
			t.Errorf("patternValues(%q) error = %v, want error %v", tt.pattern, err, tt.err)
			continue
		}
		var got []string
		for _, v := range vals {
			got = append(got, v.path+" "+v.op+" "+v.value)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("patternValues(%q) = %q, want %q", tt.pattern, got, tt.want)
		}
	}
}

func TestMISPKeys(t *testing.T) {
	tests := []struct {
		typ, value string
		want       []string
	}{
		{"domain", "Evil.Example.", []string{"evil.example"}},
		{"hostname", "a b.example", nil},
		{"url", "https://evil.example/path/?q=1", []string{"evil.example/path/?q=1"}},
		{"uri", "/gate.php", nil},
		{"ip-src", "45.9.20.7", []string{"45.9.20.7"}},
		{"ip-dst|port", "2001:db8::1|443", []string{"[2001:db8::1]:443"}},
		{"ip-dst|port", "45.9.20.7|99999", nil},
		{"domain|ip", "evil.example|45.9.20.7", []string{"evil.example", "45.9.20.7"}},
		{"domain|ip", "evil.example", nil},
		{"x509-fingerprint-sha1", "0123456789abcdef0123456789abcdef0123456", nil},
		{"sha256", "ab", nil},
	}
	for _, tt := range tests {
		if got := mispKeys(tt.typ, tt.value); !slices.Equal(got, tt.want) {
			t.Errorf("mispKeys(%s, %q) = %q, want %q", tt.typ, tt.value, got, tt.want)
		}
	}
}
