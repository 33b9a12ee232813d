package trails

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// layerBase is a small global set: static, feed and network trails.
func layerBase(t testing.TB) *Set {
	t.Helper()
	s, err := LoadCSV(strings.NewReader(
		"static.example,zeus (malware),(static)\n"+
			"feed.example,spam (suspicious),abuse.ch\n"+
			"6.6.6.6,known attacker,blocklist.de\n"+
			"7.7.7.7,c2 (malware),(static)\n"+
			"8.8.4.0/24,net (malware),(static)\n"+
			"9.9.9.9:8443,c2 port (malware),(static)\n"), LoadOptions{Whitelist: NewWhitelist("local-wl.example")})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLayerPriorities(t *testing.T) {
	base := layerBase(t)
	o := &Overlay{
		Trails: []OverlayTrail{
			{Key: "static.example", Info: "mine", Reference: CustomReference},
			{Key: "feed.example", Info: "mine"},
			{Key: "new.example", Info: "mine"},
			{Key: "6.6.6.6", Info: "mine"},
			{Key: "7.7.7.7", Info: "mine"},
			{Key: "5.5.5.0/24", Info: "mine net"},
			{Key: "1.2.3.4:80", Info: "mine port"},
			{Key: "local-wl.example", Info: "mine"},
			{Key: "wl.example", Info: "mine"},
			{Key: "4.4.4.4", Info: "mine"},
		},
		Whitelist: []string{"wl.example", "7.7.7.7", "9.9.9.9:8443", "4.4.4.0/24"},
	}
	l := base.Layer(o, NewWhitelist("local-wl.example"), discardLogger)
	custom := Entry{"mine", CustomReference}
	tests := []struct {
		name   string
		lookup func(*Set) (Entry, bool)
		want   Entry
		ok     bool
	}{
		{"static beats custom", func(s *Set) (Entry, bool) { return s.Lookup("static.example") }, Entry{"zeus (malware)", "(static)"}, true},
		{"custom beats feed", func(s *Set) (Entry, bool) { return s.Lookup("feed.example") }, custom, true},
		{"new custom domain", func(s *Set) (Entry, bool) { return s.Lookup("new.example") }, custom, true},
		{"custom beats feed IP", func(s *Set) (Entry, bool) { return s.LookupIP(netip.MustParseAddr("6.6.6.6")) }, custom, true},
		{"custom IP by text", func(s *Set) (Entry, bool) { return s.Lookup("6.6.6.6") }, custom, true},
		{"tenant whitelist drops static IP", func(s *Set) (Entry, bool) { return s.LookupIP(netip.MustParseAddr("7.7.7.7")) }, Entry{}, false},
		{"tenant whitelist drops static IP text", func(s *Set) (Entry, bool) { return s.Lookup("7.7.7.7") }, Entry{}, false},
		{"custom network", func(s *Set) (Entry, bool) { return s.LookupIP(netip.MustParseAddr("5.5.5.9")) }, Entry{"mine net", CustomReference}, true},
		{"base network kept", func(s *Set) (Entry, bool) { return s.LookupIP(netip.MustParseAddr("8.8.4.4")) }, Entry{"net (malware)", "(static)"}, true},
		{"custom ip:port", func(s *Set) (Entry, bool) { return s.LookupIPPort(netip.MustParseAddr("1.2.3.4"), 80) }, Entry{"mine port", CustomReference}, true},
		{"tenant whitelist drops ip:port", func(s *Set) (Entry, bool) { return s.LookupIPPort(netip.MustParseAddr("9.9.9.9"), 8443) }, Entry{}, false},
		{"local whitelist drops custom", func(s *Set) (Entry, bool) { return s.Lookup("local-wl.example") }, Entry{}, false},
		{"tenant whitelist drops custom", func(s *Set) (Entry, bool) { return s.Lookup("wl.example") }, Entry{}, false},
		{"tenant whitelisted network drops custom", func(s *Set) (Entry, bool) { return s.LookupIP(netip.MustParseAddr("4.4.4.4")) }, Entry{}, false},
		{"miss", func(s *Set) (Entry, bool) { return s.Lookup("nothing.example") }, Entry{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.lookup(l)
			if got != tc.want || ok != tc.ok {
				t.Errorf("got %v %v, want %v %v", got, ok, tc.want, tc.ok)
			}
		})
	}
	t.Run("base untouched", func(t *testing.T) {
		if _, ok := base.Lookup("new.example"); ok {
			t.Error("got the overlay's trail in the base set, want a miss")
		}
		if e, ok := base.LookupIP(netip.MustParseAddr("7.7.7.7")); !ok || e.Reference != "(static)" {
			t.Errorf("got %v %v in the base set, want the static trail", e, ok)
		}
	})
	t.Run("Len", func(t *testing.T) {
		// new.example, 5.5.5.0/24, 1.2.3.4:80, wl.example, 4.4.4.4 are new; the
		// whitelisted local-wl.example is dropped; the others shadow base trails.
		if got, want := l.Len(), base.Len()+5; got != want {
			t.Errorf("got Len %d, want %d", got, want)
		}
		if n, ok := l.Layered(); !ok || n != 9 {
			t.Errorf("got Layered %d %v, want 9 true", n, ok)
		}
	})
	t.Run("relayer replaces", func(t *testing.T) {
		l2 := l.Layer(&Overlay{Trails: []OverlayTrail{{Key: "other.example"}}}, nil, discardLogger)
		if _, ok := l2.Lookup("new.example"); ok {
			t.Error("got the first overlay's trail after relayering, want a miss")
		}
		if e, ok := l2.Lookup("other.example"); !ok || e != (Entry{"custom", CustomReference}) {
			t.Errorf("got %v %v, want the default custom entry", e, ok)
		}
		if got, want := l2.Len(), base.Len()+1; got != want {
			t.Errorf("got Len %d, want %d", got, want)
		}
	})
}

func TestLayerDoesNotAllocate(t *testing.T) {
	l := layerBase(t).Layer(&Overlay{Trails: []OverlayTrail{{Key: "new.example"}, {Key: "1.2.3.4:80"}},
		Whitelist: []string{"9.9.9.9:8443"}}, nil, discardLogger)
	a := netip.MustParseAddr("9.9.9.9")
	if n := testing.AllocsPerRun(100, func() {
		l.Lookup("new.example")
		l.Lookup("www.nothing.example")
		l.LookupIP(a)
		l.LookupIPPort(a, 8443)
	}); n != 0 {
		t.Errorf("got %v allocations per lookup round, want 0", n)
	}
}

func TestOverlayCodec(t *testing.T) {
	o := &Overlay{
		Trails:    []OverlayTrail{{"b.example", "x", CustomReference}, {"a.example", "ü", CustomReference}, {"b.example", "dup", ""}},
		Whitelist: []string{"z.example", "1.2.3.4", "z.example", ""},
	}
	enc := EncodeOverlay(o)
	if o.Trails[0].Key != "b.example" {
		t.Fatal("EncodeOverlay reordered its input")
	}
	got, err := DecodeOverlay(enc)
	if err != nil {
		t.Fatal(err)
	}
	want := &Overlay{
		Trails:    []OverlayTrail{{"a.example", "ü", CustomReference}, {"b.example", "x", CustomReference}},
		Whitelist: []string{"1.2.3.4", "z.example"},
	}
	if !equalOverlay(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if !bytes.Equal(EncodeOverlay(got), enc) {
		t.Error("re-encoding the decoded overlay gave other bytes, want the same")
	}
	empty := EncodeOverlay(&Overlay{})
	if o, err := DecodeOverlay(empty); err != nil || len(o.Trails)+len(o.Whitelist) != 0 {
		t.Errorf("empty overlay: got %+v %v, want empty, nil", o, err)
	}

	bad := []struct {
		name string
		data []byte
	}{
		{"nothing", nil},
		{"other magic", append([]byte("SPOORTRL"), 1, 0, 0)},
		{"other version", append([]byte(overlayMagic), 2, 0, 0)},
		{"truncated", enc[:len(enc)-1]},
		{"trailing", append(bytes.Clone(enc), 0)},
		{"huge count", append([]byte(overlayMagic), 1, 0xff, 0xff, 0xff, 0xff, 0x0f)},
		{"out of order", append([]byte(overlayMagic), 1, 2, 1, 'b', 0, 0, 1, 'a', 0, 0, 0)},
		{"repeated", append([]byte(overlayMagic), 1, 2, 1, 'a', 0, 0, 1, 'a', 0, 0, 0)},
		{"empty key", append([]byte(overlayMagic), 1, 1, 0, 0, 0, 0)},
		{"not UTF-8", append([]byte(overlayMagic), 1, 1, 1, 0xff, 0, 0, 0)},
		{"string past end", append([]byte(overlayMagic), 1, 1, 9, 'a')},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if o, err := DecodeOverlay(tc.data); !errors.Is(err, ErrBadOverlay) {
				t.Errorf("got %+v, %v; want an ErrBadOverlay", o, err)
			}
		})
	}
}

func equalOverlay(a, b *Overlay) bool {
	if len(a.Trails) != len(b.Trails) || len(a.Whitelist) != len(b.Whitelist) {
		return false
	}
	for i := range a.Trails {
		if a.Trails[i] != b.Trails[i] {
			return false
		}
	}
	for i := range a.Whitelist {
		if a.Whitelist[i] != b.Whitelist[i] {
			return false
		}
	}
	return true
}

// FuzzDecodeOverlay holds the decoder to its contract: anything it accepts re-encodes
// to the same bytes and layers over a set without failing.
func FuzzDecodeOverlay(f *testing.F) {
	f.Add(EncodeOverlay(&Overlay{}))
	f.Add(EncodeOverlay(&Overlay{
		Trails:    []OverlayTrail{{"evil.example", "mine", CustomReference}, {"1.2.3.4", "", ""}, {"10.0.0.0/8", "net", ""}, {"[::1]:80", "", ""}},
		Whitelist: []string{"good.example", "192.168.0.0/16"},
	}))
	base := layerBase(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := DecodeOverlay(data)
		if err != nil {
			if !errors.Is(err, ErrBadOverlay) {
				t.Fatalf("got error %v, want one wrapping ErrBadOverlay", err)
			}
			return
		}
		if enc := EncodeOverlay(o); !bytes.Equal(enc, data) {
			t.Fatalf("re-encoded %q, want the input %q", enc, data)
		}
		l := base.Layer(o, nil, discardLogger)
		for _, tr := range o.Trails {
			l.Lookup(tr.Key)
		}
		l.LookupIP(netip.MustParseAddr("7.7.7.7"))
		l.LookupIPPort(netip.MustParseAddr("9.9.9.9"), 8443)
		if l.Len() < base.Len() {
			t.Fatalf("got Len %d below the base's %d", l.Len(), base.Len())
		}
	})
}
