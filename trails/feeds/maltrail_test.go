package feeds

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spoorsec/spoor/trails"
)

var discard = slog.New(slog.DiscardHandler)

// feedServer serves testdata/<source>/<file> as the recorded bodies of the feeds, and
// records the headers of every request by path.
type feedServer struct {
	*httptest.Server
	mu      sync.Mutex
	headers map[string]http.Header
}

func newFeedServer(t testing.TB) *feedServer {
	fs := &feedServer{headers: make(map[string]http.Header)}
	files := http.FileServer(http.Dir("testdata"))
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		fs.headers[r.URL.Path] = r.Header.Clone()
		fs.mu.Unlock()
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *feedServer) header(p string) http.Header {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.headers[p]
}

// localSources returns Maltrail's sources with every address moved to the feed server:
// https://host/dir/file?q becomes <server>/<source>/file?q; trickbot's address prefix
// becomes <server>/trickbot/.
func localSources(t testing.TB, base string) []Source {
	t.Helper()
	src := Maltrail()
	for i := range src {
		s := &src[i]
		for j, raw := range s.URLs {
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if s.mode == fetchIndexed && j == 1 {
				s.URLs[j] = base + "/" + s.Name + "/"
				continue
			}
			local := base + "/" + s.Name + "/" + path.Base(u.Path)
			if u.RawQuery != "" {
				local += "?" + u.RawQuery
			}
			s.URLs[j] = local
		}
	}
	return src
}

func newTestClient(t testing.TB, cfg Config) *Client {
	t.Helper()
	if cfg.Backoff == 0 {
		cfg.Backoff = time.Millisecond
	}
	c, err := New(cfg, discard)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantFeeds is what each module's fetch() yields for its recorded body, worked out by
// following the module's code: "key|info|reference", in order.
var wantFeeds = map[string][]string{
	"abuseipdb": ips("known attacker|abuseipdb.com",
		"1.12.64.39", "5.42.65.47", "45.125.66.34", "61.177.172.160", "80.66.76.121", "218.92.0.27"),
	"alienvault": ips("bad reputation|alienvault.com", "1.10.230.137", "5.188.10.176", "14.139.239.181", "45.9.148.99"),
	"atmos":      ips("atmos (malware)|cybercrime-tracker.net", "bankupd.ru", "panel.atm-tracker.xyz"),
	"badips": ips("known attacker|badips.com",
		"1.180.24.243", "5.188.206.18", "45.141.84.126", "61.177.172.136", "218.92.0.112"),
	"binarydefense": ips("known attacker|binarydefense.com",
		"1.12.231.30", "1.14.120.6", "5.196.118.228", "43.135.134.197", "104.248.143.144"),
	"bitcoinnodes": ips("bad reputation (bitcoin node)|bitnodes.io",
		"2.56.11.87", "5.9.99.119", "23.175.0.220", "31.47.202.112", "37.187.54.62"),
	"blackbook": {
		"0-1.cfd|Lumma (malware)|github.com/stamparm/blackbook",
		"0ss0.fun|AsyncRAT (malware)|github.com/stamparm/blackbook",
		"1-tech.xyz|RedLine (malware)|github.com/stamparm/blackbook",
		"update-flash.top|SocGholish (malware)|github.com/stamparm/blackbook",
	},
	"blackholemonster": ips("known attacker|ip.blackhole.monster",
		"1.15.143.12", "5.181.80.104", "45.95.147.236", "141.98.11.11", "194.169.175.36"),
	"blocklist": ips("known attacker|blocklist.de",
		"1.0.167.15", "1.12.226.104", "5.39.75.6", "45.227.254.26", "185.224.128.191"),
	"botscout": ips("spammer|botscout.com",
		"5.188.62.140", "37.0.11.141", "45.134.26.168", "91.240.118.222", "193.233.20.37"),
	"bruteforceblocker": ips("known attacker|rulez.sk", "1.11.109.247", "5.135.148.115", "61.177.172.179", "218.92.0.76"),
	"ciarmy":            ips("known attacker|cinsscore.com", "1.2.166.96", "1.14.147.64", "2.55.88.223", "5.8.11.202", "31.41.244.62"),
	"cleantalk":         ips("spammer|cleantalk.org", "5.183.60.72", "31.184.198.75", "46.161.11.28", "103.251.167.10"),
	"cybercrimetracker": {
		"45.95.169.112/panel/cp.php?m=login|malware|cybercrime-tracker.net",
		"45.95.169.112|potential malware site|cybercrime-tracker.net",
		"zeus-cc.example.net/admin|malware|cybercrime-tracker.net",
		"zeus-cc.example.net|malware|cybercrime-tracker.net",
		"lokibot-panel.xyz/fre.php|malware|cybercrime-tracker.net",
		"lokibot-panel.xyz|malware|cybercrime-tracker.net",
		"103.149.13.182:8080/ponyb/gate.php|malware|cybercrime-tracker.net",
		"103.149.13.182|potential malware site|cybercrime-tracker.net",
		"amadey-c2.top|malware|cybercrime-tracker.net",
		"old-style.example.com/cp.php?m=login|malware|cybercrime-tracker.net",
		"old-style.example.com|malware|cybercrime-tracker.net",
	},
	"dataplane": ips("known attacker|dataplane.org",
		"1.180.61.13", "157.230.42.77", "167.86.89.176", "80.94.92.30", "218.92.0.112",
		"61.177.172.136", "43.135.140.219", "80.94.95.115"),
	"dshieldip": ips("known attacker|dshield.org", "1.34.150.12", "5.101.0.209", "45.148.10.174", "80.94.95.115", "218.92.0.118"),
	"emergingthreatsbot": ips("potential malware site|emergingthreats.net",
		"5.2.72.113", "5.135.183.146", "37.187.95.110", "45.9.20.7", "103.109.247.10"),
	"emergingthreatscip": ips("compromised (suspicious)|emergingthreats.net",
		"1.13.5.23", "5.10.191.229", "27.254.207.245", "45.33.41.228", "192.241.216.60"),
	"emergingthreatsdns": ips("malware|emergingthreats.net",
		"cloudfiles-sync.cfd", "update-check.top", "beacon-cdn.net", "hexed.example.ru"),
	"fareit": ips("fareit (malware)|cybercrime-tracker.net",
		"fareit-panel.example.com/gate.php", "45.95.11.203/pony/gate.php", "kbfvzoboss.bid/alien/fre.php"),
	"feodotrackerip": {
		"162.243.103.246|pikabot (malware)|abuse.ch",
		"103.124.104.143|qakbot (malware)|abuse.ch",
		"45.9.20.7|feodo (malware)|abuse.ch",
	},
	"gpfcomics": ips("known attacker|gpf-comics.com", "2.58.149.41", "31.42.186.61", "46.148.40.16", "91.200.12.49"),
	"greensnow": ips("known attacker|greensnow.co", "1.12.220.74", "1.15.88.237", "5.45.102.93", "45.148.10.240", "218.92.0.107"),
	"ipnoise":   ips("known attacker|sekuripy.hr", "1.71.137.111", "27.72.155.170", "45.128.232.147", "80.94.95.242"),
	"maxmind":   ips("bad reputation (suspicious)|maxmind.com", "5.62.56.44", "23.129.64.213", "45.83.64.1", "185.220.101.9"),
	"minerchk": ips("crypto mining (suspicious)|github.com/Hestat",
		"coinhive.com", "authedmine.com", "crypto-loot.com", "minero.cc", "webminepool.com", "xmrpool.eu"),
	"myip": ips("crawler|myip.ms", "1.180.72.14", "3.224.220.101", "5.255.231.25"),
	"openphish": ips("phishing|openphish.com",
		"secure-login-paypal.example.com/signin", "appleid-verify.example.net",
		"docs.google.com.example.xyz/forms/d/e/1FAIpQLSf/viewform",
		"ms-office365.example-login.top/owa/?realm=corp", "45.61.137.10/webmail"),
	"policeman":   ips("malware|malwaredomains.com", "malicious-download.example.com", "evil-tracker.example.net"),
	"rutgers":     ips("known attacker|rutgers.edu", "1.116.109.221", "5.181.86.19", "61.177.172.140", "103.248.61.51"),
	"sblam":       ips("bad reputation (suspicious)|sblam.com", "5.188.62.21", "31.184.238.210", "46.161.14.44", "185.191.171.34"),
	"scriptzteam": ips("bad reputation|github.com/scriptzteam/badIPS", "1.1.187.162", "1.10.136.132", "5.188.206.14", "45.61.136.22"),
	"socksproxy": ips("proxy (suspicious)|socks-proxy.net",
		"1.10.141.220", "8.210.83.33", "47.243.92.199", "103.153.154.6", "190.61.88.147"),
	"sslblcert": {
		"9e1c4f84b7f6e0c4c0e6a3c8a0f1d2e3b4a5c6d7|asyncrat c2 cert (suspicious)|abuse.ch",
		"1f3a5b7c9d0e2f4a6b8c0d1e3f5a7b9c0d2e4f6a|quasarrat c2 cert (suspicious)|abuse.ch",
		"0a1b2c3d4e5f60718293a4b5c6d7e8f901234567|gozi c2 cert (suspicious)|abuse.ch",
		"00112233445566778899aabbccddeeff00112233|unknown c2 cert (suspicious)|abuse.ch",
	},
	"sslproxies": ips("proxy (suspicious)|sslproxies.org", "20.111.54.16", "43.153.208.148", "103.49.202.252", "154.65.39.7"),
	"statics": {
		"morphed.ru|zeus (malware)|(static)",
		"h5d5c57.com|zeus (malware)|(static)",
		"/cxbk6k0w4cc|404 tds (malicious)|(static)",
		"129.82.138.12|mass scanner|(static)",
		"51.210.1.239:8443|365stealer phishtool (malicious)|(static)",
		"5.63.151.0/24|mass scanner cidr|(static)",
	},
	"torproject": ips("tor exit node (suspicious)|torproject.org",
		"2.58.56.43", "5.2.67.226", "23.129.64.130", "185.220.100.240", "185.220.101.4"),
	"torprojectnodes": ips("bad reputation (tor node)|torproject.org",
		"185.220.101.4", "2a0b:f4c2::4", "94.23.172.32", "2001:67c:289c:4::56", "51.15.43.205"),
	"trickbot": ips("trickbot (malware)|github.com/JR0driguezB", "103.12.161.194", "162.247.155.114", "185.14.31.98"),
	"turris":   ips("bad reputation|turris.cz", "1.0.136.174", "1.12.54.6", "5.8.10.202", "23.94.191.98"),
	"urlhaus": ips("malware|abuse.ch",
		"115.55.238.142:43225/Mozi.m", "182.121.135.21:56045/i",
		"drive-download.example.com/files/invoice.zip", "malware-host.example.net/bins/sora.arm7/"),
	"viriback": {
		"agenttesla-panel.example.com|agenttesla|viriback.com",
		"45.95.11.203/pony|pony|viriback.com",
		"loki.example.xsph.ru|lokibot|viriback.com",
		"185.215.113.43/dx3bepal|amadey|viriback.com",
		"redline-c2.example.org|redline|viriback.com",
		"45.61.136.22/|formbook|viriback.com",
	},
}

// ips expands keys sharing "info|reference".
func ips(infoRef string, keys ...string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + "|" + infoRef
	}
	return out
}

func trailStrings(tr []trails.Trail) []string {
	out := make([]string, len(tr))
	for i, t := range tr {
		out[i] = t.Key + "|" + t.Info + "|" + t.Reference
	}
	return out
}

func TestMaltrailSources(t *testing.T) {
	src := Maltrail()
	if len(src) != 42 {
		t.Fatalf("Maltrail() has %d sources, want Maltrail's 42", len(src))
	}
	if !slices.IsSortedFunc(src, func(a, b Source) int { return strings.Compare(a.Name, b.Name) }) {
		t.Errorf("sources are not in module name order")
	}
	var disabled []string
	for _, s := range src {
		if s.Disabled {
			disabled = append(disabled, s.Name)
		}
		if s.parse == nil || len(s.URLs) == 0 || s.URL == "" {
			t.Errorf("source %s is incomplete", s.Name)
		}
		if _, ok := wantFeeds[s.Name]; !ok {
			t.Errorf("source %s has no recorded body test", s.Name)
		}
	}
	if want := slices.Sorted(slices.Values(DefaultDisabled)); !slices.Equal(disabled, want) {
		t.Errorf("disabled sources = %q, want %q", disabled, want)
	}
	// Fresh copies: editing one call's result does not leak into the next.
	src[0].URLs[0] = "changed"
	if Maltrail()[0].URLs[0] == "changed" {
		t.Errorf("Maltrail() shares URLs between calls")
	}
}

func TestFeedParsers(t *testing.T) {
	srv := newFeedServer(t)
	c := newTestClient(t, Config{Retries: -1})
	src := localSources(t, srv.URL)
	results := c.FetchAll(context.Background(), src)
	for i, r := range results {
		s := src[i]
		t.Run(s.Name, func(t *testing.T) {
			if r.Err != nil {
				t.Fatalf("Err = %v, want nil", r.Err)
			}
			if r.Feed.Name != s.Name || r.URL != s.URL {
				t.Errorf("Feed.Name, URL = %q, %q; want %q, %q", r.Feed.Name, r.URL, s.Name, s.URL)
			}
			if got, want := trailStrings(r.Feed.Trails), wantFeeds[s.Name]; !slices.Equal(got, want) {
				t.Errorf("trails =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
	// greensnow.py sends its own User-agent and no Accept-encoding.
	h := srv.header("/greensnow/greensnow.txt")
	if ua, ae := h.Get("User-Agent"), h.Get("Accept-Encoding"); ua != "Maltrail" || ae != "identity" {
		t.Errorf("greensnow request User-Agent, Accept-Encoding = %q, %q; want Maltrail, identity", ua, ae)
	}
	if ua := srv.header("/abuseipdb/abuseipdb-s100-1d.ipv4").Get("User-Agent"); ua != defaultUserAgent {
		t.Errorf("User-Agent = %q, want %q", ua, defaultUserAgent)
	}
}

// TestFeedFailures covers what Maltrail reports as "no indicators": a response without
// the sanity string, an error answer, an empty feed; and badips' fallback.
func TestFeedFailures(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/wrong", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html>Access denied 1.2.3.4</html>") })
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusGone) })
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "# ATIF feed\n# nothing today\n") })
	mux.HandleFunc("/list", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "# ATIF feed\n45.9.20.7\n") })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := newTestClient(t, Config{Retries: -1})

	byName := func(name string) Source {
		for _, s := range Maltrail() {
			if s.Name == name {
				return s
			}
		}
		t.Fatalf("no source %s", name)
		return Source{}
	}
	bd := func(path string) *Source {
		s := byName("binarydefense")
		s.URLs = []string{srv.URL + path}
		return &s
	}
	tests := []struct {
		name    string
		src     *Source
		wantErr string // substring; "" = success
		want    int
	}{
		{"sanity check fails", bd("/wrong"), `does not contain "ATIF feed"`, 0},
		{"error status", bd("/gone"), "HTTP 410", 0},
		{"empty feed", bd("/empty"), ErrEmpty.Error(), 0},
		{"ok", bd("/list"), "", 1},
		{"badips fallback", func() *Source {
			s := byName("badips")
			s.URLs = []string{srv.URL + "/gone", srv.URL + "/list"}
			s.Check = "ATIF feed"
			return &s
		}(), "", 1},
		{"badips both fail", func() *Source {
			s := byName("badips")
			s.URLs = []string{srv.URL + "/gone", srv.URL + "/wrong"}
			return &s
		}(), "HTTP 410", 0},
		{"dataplane partial", func() *Source {
			s := byName("dataplane")
			s.URLs = []string{srv.URL + "/gone", srv.URL + "/list"}
			s.Check = "ATIF feed"
			s.parse = plainList
			return &s
		}(), "HTTP 410", 1},
		{"no URL", func() *Source {
			s := byName("blocklist")
			s.URLs = nil
			return &s
		}(), "no URL", 0},
		{"trickbot without configuration", func() *Source {
			s := byName("trickbot")
			s.URLs = []string{srv.URL + "/list", srv.URL + "/"}
			s.Check = "ATIF"
			return &s
		}(), "no configuration file named", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Fetch(context.Background(), tt.src)
			switch {
			case tt.wantErr == "" && r.Err != nil:
				t.Errorf("Err = %v, want nil", r.Err)
			case tt.wantErr != "" && (r.Err == nil || !strings.Contains(r.Err.Error(), tt.wantErr)):
				t.Errorf("Err = %v, want one containing %q", r.Err, tt.wantErr)
			}
			if len(r.Feed.Trails) != tt.want {
				t.Errorf("%d trails, want %d", len(r.Feed.Trails), tt.want)
			}
		})
	}
	if r := c.Fetch(context.Background(), bd("/empty")); !errors.Is(r.Err, ErrEmpty) {
		t.Errorf("empty feed Err = %v, want ErrEmpty", r.Err)
	}
}
