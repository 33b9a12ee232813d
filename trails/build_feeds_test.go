package trails

import (
	"net/netip"
	"regexp"
	"testing"
)

// feed builds a Feed whose trails all have one info and one reference.
func feed(name, info, ref string, keys ...string) Feed {
	f := Feed{Name: name}
	for _, k := range keys {
		f.Trails = append(f.Trails, Trail{k, info, ref})
	}
	return f
}

func curated(f Feed) Feed {
	f.Curated = true
	return f
}

// TestBuildMerge holds the merge and clean-up rules of core/update.py:update_trails for
// feeds, alone and against custom and static trails. Each expectation was worked out
// from update_trails' code; absent keys are the zero Entry.
func TestBuildMerge(t *testing.T) {
	tests := []struct {
		name  string
		tree  map[string]string
		opts  BuildOptions
		want  map[string]Entry
		count int // expected Len(); 0 = not checked
	}{
		{
			name: "static replaces a feed and keeps it as a duplicate",
			tree: map[string]string{"static/malware/zeus.txt": "evil.example\n"},
			opts: BuildOptions{Feeds: []Feed{feed("a", "malware", "a.org", "evil.example")}},
			want: map[string]Entry{"evil.example": {"zeus (malware)", "(static) (+a.org)"}},
		},
		{
			name: "custom replaces a feed",
			tree: map[string]string{"static/malware/none.txt": "", "custom/mine.txt": "evil.example\n"},
			opts: BuildOptions{Feeds: []Feed{feed("a", "phishing", "a.org", "evil.example")}},
			want: map[string]Entry{"evil.example": {"mine", "(custom) (+a.org)"}},
		},
		{
			name: "a later feed replaces an earlier one",
			opts: BuildOptions{Feeds: []Feed{
				feed("a", "malware", "a.org", "x.example"),
				feed("b", "phishing", "b.org", "x.example"),
			}},
			want: map[string]Entry{"x.example": {"phishing", "b.org (+a.org)"}},
		},
		{
			name: "a low-priority info does not replace",
			opts: BuildOptions{Feeds: []Feed{
				feed("a", "phishing", "a.org", "x.example"),
				feed("b", "bad reputation", "b.org", "x.example"),
				feed("c", "known attacker", "c.org", "x.example"),
			}},
			want: map[string]Entry{"x.example": {"phishing", "a.org (+b.org,c.org)"}},
		},
		{
			name: "a high-priority info always replaces",
			opts: BuildOptions{Feeds: []Feed{
				feed("a", "phishing", "a.org", "x.example"),
				feed("b", "ipinfo reputation", "b.org", "x.example"),
			}},
			want: map[string]Entry{"x.example": {"ipinfo reputation", "b.org (+a.org)"}},
		},
		{
			name: "a feed's repeated key keeps its last info",
			opts: BuildOptions{Feeds: []Feed{{Name: "a", Trails: []Trail{
				{"x.example", "first", "a.org"}, {"y.example", "y", "a.org"}, {"x.example", "last", "a.org"},
			}}}},
			want: map[string]Entry{"x.example": {"last", "a.org"}, "y.example": {"y", "a.org"}},
		},
		{
			name: "an address from fewer than three feeds is dropped",
			opts: BuildOptions{Feeds: []Feed{
				feed("a", "known attacker", "a.org", "45.9.20.7", "45.9.20.8"),
				feed("b", "known attacker", "b.org", "45.9.20.7", "45.9.20.8"),
				feed("c", "known attacker", "c.org", "45.9.20.7"),
			}},
			want: map[string]Entry{
				"45.9.20.7": {"known attacker", "a.org (+b.org,c.org)"},
				"45.9.20.8": {},
			},
			count: 1,
		},
		{
			name: "feeds sharing a reference count once",
			opts: BuildOptions{Feeds: []Feed{
				feed("feodotracker", "emotet (malware)", "abuse.ch", "45.9.20.7"),
				feed("urlhaus", "malware", "abuse.ch", "45.9.20.7"),
				feed("c", "known attacker", "c.org", "45.9.20.7"),
			}},
			want: map[string]Entry{"45.9.20.7": {}},
		},
		{
			name: "IPMinimumFeeds 1 keeps single-feed addresses",
			opts: BuildOptions{IPMinimumFeeds: 1, Feeds: []Feed{feed("a", "known attacker", "a.org", "45.9.20.7")}},
			want: map[string]Entry{"45.9.20.7": {"known attacker", "a.org"}},
		},
		{
			name: "IPMinimumFeeds 2",
			opts: BuildOptions{IPMinimumFeeds: 2, Feeds: []Feed{
				feed("a", "known attacker", "a.org", "45.9.20.7", "45.9.20.8"),
				feed("b", "known attacker", "b.org", "45.9.20.7"),
			}},
			want: map[string]Entry{"45.9.20.7": {"known attacker", "a.org (+b.org)"}, "45.9.20.8": {}},
		},
		{
			name: "curated and custom addresses need no other feed",
			tree: map[string]string{"static/malware/none.txt": "", "custom/mine.txt": "45.9.20.8\n"},
			opts: BuildOptions{Feeds: []Feed{
				curated(feed("misp", "emotet (malware)", "misp.example", "45.9.20.7")),
				feed("a", "known attacker", "a.org", "45.9.20.8"),
			}},
			want: map[string]Entry{
				"45.9.20.7": {"emotet (malware)", "misp.example"},
				"45.9.20.8": {"mine", "(custom) (+a.org)"},
			},
		},
		{
			name: "address info rewrites",
			opts: BuildOptions{Feeds: []Feed{curated(Feed{Name: "m", Trails: []Trail{
				{"45.9.20.7", "malware", "m.org"}, {"ransom.example", "ransomware", "m.org"}, {"300.1.1.1", "malware", "m.org"},
			}})}},
			want: map[string]Entry{
				"45.9.20.7":      {"potential malware site", "m.org"},
				"ransom.example": {"ransomware (malware)", "m.org"},
				"300.1.1.1":      {},
			},
			count: 2,
		},
		{
			name: "key normalisation",
			opts: BuildOptions{Feeds: []Feed{feed("a", "phishing", "a.org",
				"www.merge-www.example", "Upper.Example", "Bücher.example", "q.example?x=1",
				"double//slash.example/x//y", "www.path.example/a", "evilname", "")}},
			want: map[string]Entry{
				"merge-www.example":          {"phishing", "a.org"},
				"upper.example":              {"phishing", "a.org"},
				"xn--bcher-kva.example":      {"phishing", "a.org"},
				"q.example":                  {"phishing", "a.org"},
				"double/slash.example/x/y":   {"phishing", "a.org"},
				"www.path.example/a":         {"phishing", "a.org"},
				"evilname":                   {}, // letters only, not static or custom
				"www.merge-www.example":      {},
				"double//slash.example/x//y": {},
			},
			count: 6,
		},
		{
			name: "whitelist, bad prefixes, bogon and CDN networks",
			opts: BuildOptions{Feeds: []Feed{curated(Feed{Name: "m", Trails: []Trail{
				{"google.com", "phishing", "m.org"}, {"localhost.evil", "phishing", "m.org"},
				{"127.0.0.9", "malware", "m.org"}, {"192.168.1.9", "malware", "m.org"},
				{"10.0.0.5", "malware", "m.org"}, {"104.16.0.1", "malware", "m.org"},
				{"10.0.0.6", "sinkhole (malware)", "m.org"}, {"45.9.20.7", "malware", "m.org"},
			}})}},
			want: map[string]Entry{
				"google.com": {}, "localhost.evil": {}, "127.0.0.9": {}, "192.168.1.9": {},
				"10.0.0.5": {}, "104.16.0.1": {},
				"10.0.0.6":  {"sinkhole (malware)", "m.org"},
				"45.9.20.7": {"potential malware site", "m.org"},
			},
			count: 2,
		},
		{
			name: "networks from feeds need three feeds",
			opts: BuildOptions{Feeds: []Feed{
				feed("a", "known attacker", "a.org", "45.9.20.0/24", "45.9.21.0/24"),
				feed("b", "known attacker", "b.org", "45.9.20.0/24", "45.9.21.0/24"),
				feed("c", "known attacker", "c.org", "45.9.20.0/24"),
				curated(feed("misp", "c2 (malware)", "misp.example", "45.9.22.0/24")),
			}},
			want: map[string]Entry{
				"45.9.20.0/24": {"known attacker", "a.org (+b.org,c.org)"},
				"45.9.21.0/24": {},
				"45.9.22.0/24": {"c2 (malware)", "misp.example"},
			},
			count: 2,
		},
		{
			name: "remote custom lists",
			tree: map[string]string{"static/malware/zeus.txt": "static.example\n", "custom/mine.txt": "mine.example\n"},
			opts: BuildOptions{
				Feeds: []Feed{feed("a", "phishing", "a.org", "rc.example")},
				RemoteCustom: []Feed{feed("list", "blacklisted", "(remote custom)",
					"rc.example", "static.example", "mine.example", "45.9.20.7", "45.9.0.0/22")},
			},
			want: map[string]Entry{
				"rc.example":     {"blacklisted", "(remote custom)"},
				"static.example": {"zeus (malware)", "(static)"},
				"mine.example":   {"mine", "(custom)"},
				"45.9.20.7":      {"blacklisted", "(remote custom)"},
				"45.9.0.0/22":    {"blacklisted", "(remote custom)"},
			},
			count: 5,
		},
		{
			name: "disabled info",
			opts: BuildOptions{
				DisabledInfo: regexp.MustCompile(`known attacker|tor exit`),
				Feeds: []Feed{
					feed("a", "known attacker", "a.org", "45.9.20.7", "bad.example"),
					feed("b", "tor exit node (suspicious)", "b.org", "tor.example"),
					feed("c", "phishing", "c.org", "phish.example"),
				},
			},
			want:  map[string]Entry{"bad.example": {}, "tor.example": {}, "phish.example": {"phishing", "c.org"}},
			count: 1,
		},
		{
			name: "trails that are not UTF-8 are dropped",
			opts: BuildOptions{Feeds: []Feed{{Name: "a", Trails: []Trail{
				{"bad\xff.example", "phishing", "a.org"}, {"good.example", "bad\xfe", "a.org"}, {"ok.example", "phishing", "a.org"},
			}}}},
			want:  map[string]Entry{"ok.example": {"phishing", "a.org"}},
			count: 1,
		},
	}
	filters := maltrailFilters(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			if tt.tree != nil {
				opts.Tree = writeTree(t, tt.tree)
			}
			opts.Whitelist, opts.DropRanges, opts.Logger = filters.Whitelist, filters.DropRanges, discardLogger
			s, err := Build(opts)
			if err != nil {
				t.Fatal(err)
			}
			for key, want := range tt.want {
				got, ok := s.Lookup(key)
				if ok != (want.Info != "") || got != want {
					t.Errorf("Lookup(%q) = %+v, %v; want %+v", key, got, ok, want)
				}
			}
			if tt.count > 0 && s.Len() != tt.count {
				t.Errorf("Len() = %d, want %d (rows %q)", s.Len(), tt.count, csvRows(t, s))
			}
		})
	}
}

func TestBuildNetworkTrailsMatch(t *testing.T) {
	s, err := Build(BuildOptions{
		RemoteCustom: []Feed{feed("list", "blacklisted", "(remote custom)", "45.9.0.0/22", "2001:db8:77::/48")},
		Logger:       discardLogger,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"45.9.0.1", "45.9.3.255", "2001:db8:77::1"} {
		if e, ok := s.LookupIP(netip.MustParseAddr(a)); !ok || e.Info != "blacklisted" {
			t.Errorf("LookupIP(%s) = %+v, %v; want blacklisted", a, e, ok)
		}
	}
	if _, ok := s.LookupIP(netip.MustParseAddr("45.9.4.0")); ok {
		t.Errorf("LookupIP(45.9.4.0) = hit, want miss")
	}
}

func TestBuildErrors(t *testing.T) {
	if _, err := Build(BuildOptions{Tree: "/nonexistent/trails"}); err == nil {
		t.Errorf("Build of a missing tree: got no error, want one")
	}
	if _, err := Build(BuildOptions{IPMinimumFeeds: -1}); err == nil {
		t.Errorf("Build with IPMinimumFeeds -1: got no error, want one")
	}
}

func TestParseCustomLine(t *testing.T) {
	tests := []struct {
		line, key string
		ok        bool
	}{
		{"evil.example", "evil.example", true},
		{"  .evil.example. # note", "evil.example", true},
		{"http://evil.example/path/", "evil.example/path", true},
		{"https://evil.example/", "evil.example", true},
		{"10.0.0.0/24", "10.0.0.0/24", true},
		{"# comment", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if key, ok := ParseCustomLine(tt.line); key != tt.key || ok != tt.ok {
			t.Errorf("ParseCustomLine(%q) = %q, %v; want %q, %v", tt.line, key, ok, tt.key, tt.ok)
		}
	}
}
