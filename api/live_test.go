package api

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/tenant"
)

// sseStream reads server-sent events from a live tail.
type sseStream struct {
	resp *http.Response
	sc   *bufio.Scanner
}

func openLive(t *testing.T, srv *httptest.Server, ten tenant.ID, tok string) *sseStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/tenants/"+string(ten)+"/live", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("live: got %d %q, want 200 text/event-stream", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &sseStream{resp: resp, sc: bufio.NewScanner(resp.Body)}
	if name, _ := s.next(t); name != "" { // the ": connected" comment block
		t.Fatalf("first block: got event %q, want the connection comment", name)
	}
	return s
}

// next returns the next block's event name and data.
func (s *sseStream) next(t *testing.T) (name, data string) {
	t.Helper()
	for s.sc.Scan() {
		line := s.sc.Text()
		switch {
		case line == "":
			return name, data
		case strings.HasPrefix(line, "event: "):
			name = line[len("event: "):]
		case strings.HasPrefix(line, "data: "):
			data = line[len("data: "):]
		}
	}
	t.Fatalf("stream ended: %v", s.sc.Err())
	return "", ""
}

func liveEvent(trail string) event.Event {
	return event.Event{Time: time.Unix(1_700_000_000, 0).UTC(), Sensor: "edge-1", SrcIP: "10.0.0.1", SrcPort: "40000",
		DstIP: "198.51.100.7", DstPort: "53", Proto: "UDP", Type: event.TypeDNS, Trail: trail, Info: "zeus (malware)", Reference: "(static)"}
}

func TestLiveTenantIsolation(t *testing.T) {
	srv := httptest.NewServer(env.h)
	t.Cleanup(srv.Close) // after the streams' cleanups close them
	a, b := newTenant(t, "live-a"), newTenant(t, "live-b")
	_, aTok := newUser(t, a, RoleViewer)
	_, bTok := newUser(t, b, RoleViewer)
	sa, sb := openLive(t, srv, a, aTok), openLive(t, srv, b, bTok)

	live := env.api.Live()
	live.Publish(a, []event.Event{liveEvent("a-1.example"), liveEvent("a-2.example")})
	live.Publish(b, []event.Event{liveEvent("b-1.example")})

	for _, want := range []string{"a-1.example", "a-2.example"} {
		name, data := sa.next(t)
		var got struct{ Trail, Sensor string }
		if err := json.Unmarshal([]byte(data), &got); err != nil {
			t.Fatalf("data %q: %v", data, err)
		}
		if name != "event" || got.Trail != want || got.Sensor != "edge-1" {
			t.Errorf("tenant a: got %s %+v, want event %s from edge-1", name, got, want)
		}
	}
	// b's first event is its own: nothing of a's leaked into it.
	if _, data := sb.next(t); !strings.Contains(data, `"b-1.example"`) {
		t.Errorf("tenant b: got %s, want b-1.example", data)
	}
	// Another tenant's viewer cannot subscribe to a.
	if r := call(t, "GET", "/api/v1/tenants/"+string(a)+"/live", bTok, nil); r.Code != http.StatusForbidden {
		t.Errorf("cross-tenant subscribe: got %d, want 403", r.Code)
	}
}

func TestLiveSlowClientIsDropped(t *testing.T) {
	l := NewLive(2, 1)
	ten := tenant.MustNew("slow")
	slow, ok := l.subscribe(ten)
	if !ok {
		t.Fatal("subscribe refused")
	}
	if _, ok := l.subscribe(ten); ok {
		t.Error("second subscriber with a limit of 1: got accepted, want refused")
	}
	done := make(chan struct{})
	go func() {
		for range 10 {
			l.Publish(ten, []event.Event{liveEvent("x.example")})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Publish blocked on a subscriber that does not read")
	}
	n := 0
	for range slow.ch {
		n++
	}
	if n != 2 || !l.wasDropped(slow) || l.Subscribers(ten) != 0 {
		t.Errorf("got %d buffered batches, dropped %v, %d subscribers; want 2, true, 0", n, l.wasDropped(slow), l.Subscribers(ten))
	}
	l.unsubscribe(ten, slow) // after a drop: no double close
}

// TestLiveDroppedEvent checks the stream a dropped client sees: its
// buffered events, then a final "dropped" event.
func TestLiveDroppedEvent(t *testing.T) {
	l := NewLive(1, 4)
	ten := tenant.MustNew("dropped")
	r := gin.New()
	r.GET("/live", func(c *gin.Context) {
		c.Set(ctxTenant, ten)
		c.Next()
	}, liveHandler{live: l}.tail)
	srv := httptest.NewServer(r)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/live")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close() // runs before srv.Close
	s := &sseStream{resp: resp, sc: bufio.NewScanner(resp.Body)}
	s.next(t)
	// Publish until the one-batch buffer overflows: the handler takes a
	// batch only between writes, so it cannot keep up with this loop.
	for l.Subscribers(ten) == 1 {
		l.Publish(ten, []event.Event{liveEvent("x.example")})
	}
	for {
		name, _ := s.next(t)
		if name == "dropped" {
			break
		}
		if name != "event" {
			t.Fatalf("got event %q, want event or dropped", name)
		}
	}
	if s.sc.Scan() {
		t.Errorf("stream continued after dropped: %q", s.sc.Text())
	}
}
