package api

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestNormalizeIndicator(t *testing.T) {
	cases := []struct {
		in, key, kind string
		ok            bool
	}{
		{"Evil.Example", "evil.example", kindDomain, true},
		{".evil.example.", "evil.example", kindDomain, true},
		{"  evil.example   # seen in phishing", "evil.example", kindDomain, true},
		{"cc", "cc", kindDomain, true},
		{"_dmarc.evil.example", "_dmarc.evil.example", kindDomain, true},
		{"http://Bad.Example/Gate.php/", "bad.example/gate.php", kindURL, true},
		{"bad.example:8080/x?a=1", "bad.example:8080/x?a=1", kindURL, true},
		{"https://bad.example", "bad.example", kindDomain, true},
		{"198.51.100.7", "198.51.100.7", kindIP, true},
		{"2001:DB8::0:1", "2001:db8::1", kindIP, true},
		{"198.51.100.7:443", "198.51.100.7:443", kindIP, true},
		{"[2001:db8::1]:443", "[2001:db8::1]:443", kindIP, true},
		{"198.51.100.0/24", "198.51.100.0/24", kindIP, true},
		{"198.51.100.1/24", "", "", false}, // host bits set
		{"198.51.100.7:0", "", "", false},
		{"", "", "", false},
		{"# only a comment", "", "", false},
		{"evil example", "", "", false},
		{"evil,example", "", "", false},
		{"ünïcode.example", "", "", false},
		{"evil.exam_ple", "", "", false},
		{"-/x", "", "", false},
		{"/gate.php", "", "", false},
		{"a..b", "", "", false},
		{strings.Repeat("a", 64) + ".example", "", "", false},
		{strings.Repeat("a.", 130) + "example", "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			key, kind, err := normalizeIndicator(tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("got err %v, want ok %v", err, tc.ok)
			}
			if key != tc.key || kind != tc.kind {
				t.Errorf("got %q %q, want %q %q", key, kind, tc.key, tc.kind)
			}
		})
	}
}

func FuzzNormalizeIndicator(f *testing.F) {
	for _, s := range []string{"evil.example", "http://bad.example/gate.php", "198.51.100.0/24", "[::1]:80", "a#b", ".cc."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key, _, err := normalizeIndicator(s)
		if err != nil {
			return
		}
		if len(key) == 0 || len(key) > maxIndicatorLen {
			t.Fatalf("%q: key %q of length %d", s, key, len(key))
		}
		// A stored key reads back as itself (DELETE names keys as listed).
		again, _, err := normalizeIndicator(key)
		if err != nil || again != key {
			t.Fatalf("%q: key %q normalizes to %q, %v", s, key, again, err)
		}
	})
}

func TestCustomTrails(t *testing.T) {
	ten := newTenant(t, "trails")
	_, admTok := newUser(t, ten, RoleTenantAdmin)
	_, vTok := newUser(t, ten, RoleViewer)
	base := "/api/v1/tenants/" + string(ten) + "/trails"

	r := call(t, "POST", base, admTok, map[string]string{"trail": "HTTP://Evil.Example/", "info": "acme c2"})
	if r.Code != http.StatusCreated {
		t.Fatalf("add one: got %d %s, want 201", r.Code, r.Body)
	}
	r = call(t, "POST", base, admTok, []any{"bad.example/gate.php", map[string]string{"trail": "198.51.100.9"}})
	if r.Code != http.StatusCreated {
		t.Fatalf("add array: got %d %s, want 201", r.Code, r.Body)
	}
	text := "# exported\n203.0.113.0/24,scanner net\n\nwww.phish.example , phishing\n"
	r = call(t, "POST", base, admTok, text, withHeader("Content-Type", "text/plain; charset=utf-8"))
	if r.Code != http.StatusCreated {
		t.Fatalf("add text: got %d %s, want 201", r.Code, r.Body)
	}
	var added struct {
		Added  int
		Trails []map[string]any
	}
	r.json(t, &added)
	if added.Added != 2 || added.Trails[1]["trail"] != "www.phish.example" || added.Trails[1]["info"] != "phishing" {
		t.Errorf("text import: got %+v, want 2 trails, the second www.phish.example/phishing", added)
	}

	type trailJSON struct{ Trail, Type, Info, Reference string }
	var list struct{ Trails []trailJSON }
	call(t, "GET", base, vTok, nil).json(t, &list)
	want := []trailJSON{
		{"198.51.100.9", "IP", "custom", "(custom)"},
		{"203.0.113.0/24", "IP", "scanner net", "(custom)"},
		{"bad.example/gate.php", "URL", "custom", "(custom)"},
		{"evil.example", "DNS", "acme c2", "(custom)"},
		{"www.phish.example", "DNS", "phishing", "(custom)"},
	}
	slices.SortFunc(list.Trails, func(a, b trailJSON) int { return strings.Compare(a.Trail, b.Trail) })
	if !slices.Equal(list.Trails, want) {
		t.Errorf("list: got %+v, want %+v", list.Trails, want)
	}

	bad := []struct {
		name string
		body any
		ct   string
		want int
	}{
		{"invalid trail aborts the batch", []string{"ok.example", "not a trail"}, "", 400},
		{"comma in info", map[string]string{"trail": "x.example", "info": "a,b"}, "", 400},
		{"empty array", []string{}, "", 400},
		{"number", []any{42}, "", 400},
		{"malformed", "[", "", 400},
		{"other media type", "x.example", "application/xml", 415},
		{"too many", strings.Repeat("x.example\n", maxImport+1), "text/plain", 413},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			var opts []reqOpt
			if tc.ct != "" {
				opts = append(opts, withHeader("Content-Type", tc.ct))
			}
			r := call(t, "POST", base, admTok, tc.body, opts...)
			if r.Code != tc.want {
				t.Fatalf("got %d %s, want %d", r.Code, r.Body, tc.want)
			}
			r.errMsg(t)
		})
	}
	call(t, "GET", base, vTok, nil).json(t, &list)
	if len(list.Trails) != len(want) {
		t.Errorf("after refused imports: got %d trails, want %d", len(list.Trails), len(want))
	}

	if r := call(t, "DELETE", base+"?trail=evil.example&trail=nope.example", admTok, nil); r.Code != http.StatusNotFound {
		t.Fatalf("delete with an unknown trail: got %d %s, want 404", r.Code, r.Body)
	}
	r = call(t, "DELETE", base+"?trail=Evil.Example&trail=evil.example&trail=http://bad.example/gate.php", admTok, nil)
	if r.Code != http.StatusOK || !strings.Contains(string(r.Body), `"removed":2`) {
		t.Fatalf("delete: got %d %s, want 200 removed 2", r.Code, r.Body)
	}
	call(t, "GET", base, vTok, nil).json(t, &list)
	if len(list.Trails) != 3 {
		t.Errorf("after delete: got %d trails, want 3", len(list.Trails))
	}
	assertAudit(t, ten, "trail.add", "trail.remove")
}

func TestWhitelist(t *testing.T) {
	ten := newTenant(t, "whitelist")
	_, admTok := newUser(t, ten, RoleTenantAdmin)
	base := "/api/v1/tenants/" + string(ten) + "/whitelist"
	r := call(t, "POST", base, admTok, "10.0.0.0/8,office\nupdates.example\n", withHeader("Content-Type", "text/plain"))
	if r.Code != http.StatusCreated {
		t.Fatalf("add: got %d %s, want 201", r.Code, r.Body)
	}
	var list struct {
		Whitelist []struct{ Entry, Comment string }
	}
	call(t, "GET", base, admTok, nil).json(t, &list)
	if len(list.Whitelist) != 2 || list.Whitelist[0].Entry != "10.0.0.0/8" || list.Whitelist[0].Comment != "office" {
		t.Errorf("list: got %+v, want 10.0.0.0/8 (office) and updates.example", list.Whitelist)
	}
	if r := call(t, "DELETE", base+"?entry=updates.example", admTok, nil); r.Code != http.StatusOK {
		t.Fatalf("delete: got %d %s, want 200", r.Code, r.Body)
	}
	call(t, "GET", base, admTok, nil).json(t, &list)
	if len(list.Whitelist) != 1 {
		t.Errorf("after delete: got %d entries, want 1", len(list.Whitelist))
	}
	assertAudit(t, ten, "whitelist.add", "whitelist.remove")
}

func TestCheck(t *testing.T) {
	ten := newTenant(t, "check")
	_, admTok := newUser(t, ten, RoleTenantAdmin)
	_, vTok := newUser(t, ten, RoleViewer)
	r := call(t, "POST", "/api/v1/tenants/"+string(ten)+"/trails", admTok,
		"intranet-c2.example,acme c2\n192.0.2.0/24,bad net\n2001:db8::66\n", withHeader("Content-Type", "text/plain"))
	if r.Code != http.StatusCreated {
		t.Fatalf("add: got %d %s, want 201", r.Code, r.Body)
	}
	cases := []struct {
		q, trail, info string
		found          bool
	}{
		{"evil.example", "evil.example", "zeus (malware)", true},
		{"WWW.a.Evil.Example", "evil.example", "zeus (malware)", true},
		{"https://evil.example/login/", "evil.example", "zeus (malware)", true},
		{"http://bad.example/gate.php?x=1", "", "", false},
		{"bad.example/gate.php/", "bad.example/gate.php", "phishing (malicious)", true},
		{"198.51.100.66", "198.51.100.66", "known attacker", true},
		{"host.intranet-c2.example", "intranet-c2.example", "acme c2", true},
		{"192.0.2.77", "192.0.2.0/24", "bad net", true},
		{"2001:DB8:0::66", "2001:db8:0::66", "custom", true},
		{"example", "", "", false}, // the top-level domain is not tried
		{"good.example", "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.q, func(t *testing.T) {
			r := call(t, "GET", "/api/v1/check?q="+tc.q, vTok, nil)
			if r.Code != http.StatusOK {
				t.Fatalf("got %d %s, want 200", r.Code, r.Body)
			}
			var got checkJSON
			r.json(t, &got)
			if got.Found != tc.found || got.Trail != tc.trail || got.Info != tc.info {
				t.Errorf("got %+v, want found %v trail %q info %q", got, tc.found, tc.trail, tc.info)
			}
		})
	}
	// Custom trails are the tenant's own: another tenant's /check misses them.
	other := newTenant(t, "check-other")
	_, oTok := newUser(t, other, RoleViewer)
	var got checkJSON
	call(t, "GET", "/api/v1/check?q=intranet-c2.example", oTok, nil).json(t, &got)
	if got.Found {
		t.Errorf("other tenant: got %+v, want not found", got)
	}
	for _, q := range []string{"", strings.Repeat("a", maxIndicatorLen+1)} {
		if r := call(t, "GET", "/api/v1/check?q="+q, vTok, nil); r.Code != http.StatusBadRequest {
			t.Errorf("q of %d bytes: got %d, want 400", len(q), r.Code)
		}
	}
}
