package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

func TestWebhookPolicy(t *testing.T) {
	prod := WebhookPolicy{}
	lab := WebhookPolicy{AllowHTTP: true, AllowPrivate: true}
	cases := []struct {
		url       string
		prod, lab bool
	}{
		{"https://hooks.example.com/services/T0/B0/x", true, true},
		{"https://hooks.example.com:8443/x?token=1", true, true},
		{"https://8.8.8.8/x", true, true},
		{"https://[2606:4700::1111]/x", true, true},
		{"http://hooks.example.com/x", false, true},
		{"https://127.0.0.1/x", false, true},
		{"https://[::1]/x", false, true},
		{"https://10.1.2.3/x", false, true},
		{"https://169.254.169.254/latest/meta-data", false, true},
		{"https://100.64.0.1/x", false, true},
		{"https://[::ffff:127.0.0.1]/x", false, true},
		{"https://[fd00::1]/x", false, true},
		{"https://[64:ff9b::a00:1]/x", false, true},
		{"https://0.0.0.0/x", false, true},
		{"https://localhost/x", false, true},
		{"https://api.localhost/x", false, true},
		{"https://metadata.google.internal/x", false, true},
		{"https://intranet/x", false, true},
		{"https://user:pw@hooks.example.com/x", false, false},
		{"https://hooks.example.com/x#frag", false, false},
		{"https://hooks.example.com:0/x", false, false},
		{"https://hooks.example.com:99999/x", false, false},
		{"ftp://hooks.example.com/x", false, false},
		{"//hooks.example.com/x", false, false},
		{"hooks.example.com/x", false, false},
		{"https://a..example/x", false, false},
		{"", false, false},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			if _, err := prod.Check(tc.url); (err == nil) != tc.prod {
				t.Errorf("production: got err %v, want ok %v", err, tc.prod)
			}
			if _, err := lab.Check(tc.url); (err == nil) != tc.lab {
				t.Errorf("lab: got err %v, want ok %v", err, tc.lab)
			}
		})
	}
	for addr, want := range map[string]bool{"127.0.0.1:443": false, "[::1]:443": false, "10.0.0.1:80": false,
		"8.8.8.8:443": true, "[2606:4700::1111]:443": true} {
		if err := prod.dialControl("tcp", addr, nil); (err == nil) != want {
			t.Errorf("dialControl(%s): got err %v, want ok %v", addr, err, want)
		}
	}
	if !publicAddr(netip.MustParseAddr("1.1.1.1")) || publicAddr(netip.MustParseAddr("192.168.1.1")) {
		t.Error("publicAddr: got 1.1.1.1 non-public or 192.168.1.1 public")
	}
}

func TestWebhooksCRUD(t *testing.T) {
	ten := newTenant(t, "hooks")
	_, admTok := newUser(t, ten, RoleTenantAdmin)
	base := "/api/v1/tenants/" + string(ten) + "/webhooks"

	r := call(t, "POST", base, admTok, map[string]any{"url": "https://hooks.example.com/a", "min_severity": "medium", "throttle_seconds": 60})
	if r.Code != http.StatusCreated {
		t.Fatalf("create: got %d %s, want 201", r.Code, r.Body)
	}
	var created webhookJSON
	r.json(t, &created)
	if created.ID == "" || created.Secret == "" || created.MinSeverity != "medium" || created.ThrottleSeconds != 60 || !created.Enabled {
		t.Errorf("create: got %+v, want an id, a secret, medium, 60 s, enabled", created)
	}
	r = call(t, "GET", base+"/"+created.ID, admTok, nil)
	var got webhookJSON
	r.json(t, &got)
	if got.Secret != "" || got.URL != "https://hooks.example.com/a" {
		t.Errorf("get: got %+v, want the URL and no secret", got)
	}

	r = call(t, "PUT", base+"/"+created.ID, admTok, map[string]any{"url": "https://hooks.example.com/b", "enabled": false})
	if r.Code != http.StatusOK {
		t.Fatalf("update: got %d %s, want 200", r.Code, r.Body)
	}
	r.json(t, &got)
	if got.URL != "https://hooks.example.com/b" || got.Enabled || got.MinSeverity != "high" || got.ThrottleSeconds != defaultThrottleSeconds {
		t.Errorf("update: got %+v, want /b, disabled, defaults high and %d s", got, defaultThrottleSeconds)
	}
	stored, err := env.store.Webhook(context.Background(), ten, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s := stored.Secret; s != created.Secret {
		t.Errorf("update changed the secret: got %q, want %q", s, created.Secret)
	}

	bad := []struct {
		name string
		body map[string]any
	}{
		{"http", map[string]any{"url": "http://hooks.example.com/a"}},
		{"loopback", map[string]any{"url": "https://127.0.0.1/a"}},
		{"metadata", map[string]any{"url": "https://169.254.169.254/"}},
		{"severity", map[string]any{"url": "https://hooks.example.com/a", "min_severity": "critical"}},
		{"throttle", map[string]any{"url": "https://hooks.example.com/a", "throttle_seconds": -1}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, "POST", base, admTok, tc.body)
			if r.Code != http.StatusBadRequest {
				t.Fatalf("got %d %s, want 400", r.Code, r.Body)
			}
			r.errMsg(t)
		})
	}

	var list struct{ Webhooks []webhookJSON }
	call(t, "GET", base, admTok, nil).json(t, &list)
	if len(list.Webhooks) != 1 || list.Webhooks[0].Secret != "" {
		t.Errorf("list: got %+v, want one webhook without its secret", list.Webhooks)
	}
	if r := call(t, "DELETE", base+"/"+created.ID, admTok, nil); r.Code != http.StatusNoContent {
		t.Fatalf("delete: got %d %s, want 204", r.Code, r.Body)
	}
	if r := call(t, "GET", base+"/"+created.ID, admTok, nil); r.Code != http.StatusNotFound {
		t.Errorf("get deleted: got %d, want 404", r.Code)
	}
	assertAudit(t, ten, "webhook.create", "webhook.update", "webhook.delete")
}

// hookSink records webhook deliveries.
type hookSink struct {
	mu    sync.Mutex
	posts []hookPost
	got   chan struct{}
}

type hookPost struct {
	body      []byte
	ts, sig   string
	trailsSrc []string
}

func newHookSink(t *testing.T) (*hookSink, *httptest.Server) {
	s := &hookSink{got: make(chan struct{}, 100)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var doc struct {
			Events []struct {
				SrcIP string `json:"src_ip"`
				Trail any    `json:"trail"`
			}
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Errorf("webhook body is not JSON: %v: %s", err, b)
		}
		p := hookPost{body: b, ts: r.Header.Get("X-Spoor-Timestamp"), sig: r.Header.Get("X-Spoor-Signature")}
		for _, e := range doc.Events {
			p.trailsSrc = append(p.trailsSrc, e.SrcIP+" "+e.Trail.(string))
		}
		s.mu.Lock()
		s.posts = append(s.posts, p)
		s.mu.Unlock()
		s.got <- struct{}{}
	}))
	t.Cleanup(srv.Close)
	return s, srv
}

// staticHooks is a WebhookStore over fixed webhooks.
type staticHooks map[tenant.ID][]store.Webhook

func (s staticHooks) Webhooks(_ context.Context, t tenant.ID) ([]store.Webhook, error) {
	return s[t], nil
}

func TestDispatcher(t *testing.T) {
	sink, srv := newHookSink(t)
	acme, other := tenant.MustNew("acme"), tenant.MustNew("other")
	secret := "whsec_test"
	hooks := staticHooks{acme: {
		{ID: "w1", URL: srv.URL + "/hook", MinSeverity: event.High, Enabled: true,
			Secret: secret, ThrottleSeconds: 60},
		{ID: "w-off", URL: srv.URL + "/off", MinSeverity: event.Low, Enabled: false, Secret: "{}"},
	}}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	var clock sync.Mutex
	d := NewDispatcher(hooks, DispatcherOptions{Policy: WebhookPolicy{AllowHTTP: true, AllowPrivate: true}, Workers: 1,
		Now: func() time.Time { clock.Lock(); defer clock.Unlock(); return now }}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer d.Close()

	high := func(src, trail string) event.Event {
		return event.Event{Time: now, Sensor: "edge", SrcIP: src, DstIP: "198.51.100.7", Type: event.TypeDNS,
			Trail: trail, Info: "zeus (malware)", Reference: "(static)"}
	}
	low := event.Event{Time: now, Sensor: "edge", SrcIP: "10.0.0.9", Type: event.TypeIP, Trail: "203.0.113.5",
		Info: "known attacker", Reference: "(static)"}

	wait := func(want int) {
		t.Helper()
		for range want {
			select {
			case <-sink.got:
			case <-time.After(5 * time.Second):
				t.Fatalf("timed out waiting for a delivery")
			}
		}
	}
	d.Notify(acme, []event.Event{high("10.0.0.1", "evil.example"), low, high("10.0.0.1", "evil.example"), high("10.0.0.2", "evil.example")})
	wait(1)
	// Throttled within 60 s for the same (src, trail); other tenants have
	// no webhooks; the next call is delivered only for the new pair.
	d.Notify(other, []event.Event{high("10.0.0.1", "evil.example")})
	d.Notify(acme, []event.Event{high("10.0.0.1", "evil.example"), high("10.0.0.3", "evil.example")})
	wait(1)
	clock.Lock()
	now = now.Add(61 * time.Second)
	clock.Unlock()
	d.Notify(acme, []event.Event{high("10.0.0.1", "evil.example")})
	wait(1)

	sink.mu.Lock()
	defer sink.mu.Unlock()
	want := [][]string{{"10.0.0.1 evil.example", "10.0.0.2 evil.example"}, {"10.0.0.3 evil.example"}, {"10.0.0.1 evil.example"}}
	if len(sink.posts) != len(want) {
		t.Fatalf("got %d deliveries, want %d", len(sink.posts), len(want))
	}
	for i, p := range sink.posts {
		if !slices.Equal(p.trailsSrc, want[i]) {
			t.Errorf("delivery %d: got %v, want %v", i, p.trailsSrc, want[i])
		}
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(p.ts + "."))
		mac.Write(p.body)
		if wantSig := "sha256=" + hex.EncodeToString(mac.Sum(nil)); p.sig != wantSig {
			t.Errorf("delivery %d: got signature %q, want %q", i, p.sig, wantSig)
		}
	}
}

func TestDispatcherRefusesPrivateTargets(t *testing.T) {
	sink, srv := newHookSink(t)
	acme := tenant.MustNew("acme")
	hooks := staticHooks{acme: {{ID: "w1", URL: srv.URL, MinSeverity: event.Low, Enabled: true, Secret: "{}"}}}
	// http allowed, private not: the loopback test server must not be called.
	d := NewDispatcher(hooks, DispatcherOptions{Policy: WebhookPolicy{AllowHTTP: true}, Workers: 1},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	d.Notify(acme, []event.Event{{SrcIP: "10.0.0.1", Trail: "evil.example", Info: "zeus (malware)", Reference: "(static)"}})
	d.Close()
	sink.mu.Lock()
	if len(sink.posts) != 0 {
		t.Errorf("got %d deliveries to a loopback target, want 0", len(sink.posts))
	}
	sink.mu.Unlock()
	d.Notify(acme, []event.Event{{SrcIP: "10.0.0.1"}}) // after Close: ignored, no panic
}

func TestDispatcherNeverBlocks(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	acme := tenant.MustNew("acme")
	hooks := staticHooks{acme: {{ID: "w1", URL: srv.URL, MinSeverity: event.Low, Enabled: true, Secret: `{"throttle_seconds":0}`}}}
	d := NewDispatcher(hooks, DispatcherOptions{Policy: WebhookPolicy{AllowHTTP: true, AllowPrivate: true}, Workers: 1, Queue: 2,
		Timeout: 200 * time.Millisecond}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer d.Close()
	start := time.Now()
	for range 50 {
		d.Notify(acme, []event.Event{{SrcIP: "10.0.0.1", Trail: "x", Info: "malware", Reference: "(static)"}})
	}
	if el := time.Since(start); el > 100*time.Millisecond {
		t.Errorf("50 Notify calls took %v with a stuck receiver, want them not to wait", el)
	}
	if d.Dropped() == 0 {
		t.Error("got no dropped batches with a queue of 2, want some")
	}
}
