package trafficgen

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/spoorsec/spoor/internal/shared"
	"github.com/spoorsec/spoor/trails"
)

// TestSampleTrails checks that every sampled indicator is a trail of the
// set with the right kind, that every kind is found in Maltrail's static
// trails, and that the sample depends only on the seed.
func TestSampleTrails(t *testing.T) {
	set, _ := staticTrails(t)
	in := staticSample(t)
	for _, d := range in.Domains {
		ent, ok := set.Lookup(d.Name)
		if !ok {
			t.Fatalf("sampled domain %q is not a trail", d.Name)
		}
		if sub := strings.Contains(ent.Info, "dynamic") || strings.Contains(ent.Info, "free web"); sub != d.Subdomain {
			t.Errorf("domain %q (%s): got Subdomain %v, want %v", d.Name, ent.Info, d.Subdomain, sub)
		}
	}
	for _, u := range in.URLs {
		if _, ok := set.Lookup(u); !ok || !strings.Contains(u, "/") {
			t.Fatalf("sampled URL %q is not a URL trail", u)
		}
	}
	addrs := map[string][]netip.Addr{"outbound": in.Outbound, "inbound": in.Inbound, "sinkhole": in.Sinkholes}
	for kind, list := range addrs {
		for _, a := range list {
			ent, ok := set.LookupIP(a)
			if !ok {
				t.Fatalf("sampled %s address %s is not a trail", kind, a)
			}
			attacker := strings.Contains(ent.Info, "attacker") || strings.Contains(ent.Info, "scanner")
			if (kind == "inbound") != attacker && !strings.Contains(ent.Info, "sinkhole") && !strings.Contains(ent.Info, "parking") {
				t.Errorf("%s address %s has info %q", kind, a, ent.Info)
			}
		}
	}
	for _, ap := range in.Services {
		if _, ok := set.LookupIPPort(ap.Addr(), ap.Port()); !ok {
			t.Fatalf("sampled service %s is not a trail", ap)
		}
	}
	for name, n := range map[string]int{"domains": len(in.Domains), "urls": len(in.URLs), "outbound": len(in.Outbound),
		"inbound": len(in.Inbound), "services": len(in.Services), "sinkholes": len(in.Sinkholes)} {
		if n != 200 {
			t.Errorf("got %d %s, want 200", n, name)
		}
	}

	small, err := trails.Load(shared.Testdata(t, "pcaps", "maltrail", "trails.csv"), trails.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := SampleTrails(small, 3, 5)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := SampleTrails(small, 3, 5)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("two samples with seed 5 differ:\n%+v\n%+v", a, b)
	}
	if a.Empty() {
		t.Error("got no indicator from the corpus trails")
	}
}
