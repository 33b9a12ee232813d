package trails

import (
	"math/rand/v2"
	"net/netip"
	"testing"
)

func TestPrefixTableMostSpecific(t *testing.T) {
	var pt prefixTable
	nets := []struct {
		prefix string
		val    uint32
	}{
		{"0.0.0.0/0", 1}, {"10.0.0.0/8", 2}, {"10.1.0.0/16", 3}, {"10.1.2.0/24", 4},
		{"10.2.0.0/16", 5}, {"255.255.255.255/32", 6}, {"10.1.2.7/24", 7}, // same network as 4: replaces it
		{"2001:db8::/32", 8}, {"2001:db8:1::/48", 9}, {"::ffff:192.0.2.0/120", 10},
	}
	for _, n := range nets {
		pt.put(netip.MustParsePrefix(n.prefix), n.val)
	}
	pt.finish()
	tests := []struct {
		addr string
		want uint32
	}{
		{"0.0.0.0", 1}, {"9.255.255.255", 1}, {"10.0.0.0", 2}, {"10.1.1.255", 3}, {"10.1.2.0", 7},
		{"10.1.2.255", 7}, {"10.1.3.0", 3}, {"10.2.255.255", 5}, {"10.3.0.0", 2}, {"11.0.0.0", 1},
		{"255.255.255.254", 1}, {"255.255.255.255", 6}, {"192.0.2.9", 10},
		{"2001:db8::1", 8}, {"2001:db8:1::1", 9}, {"2001:db9::", 0},
	}
	for _, tt := range tests {
		got, ok := pt.lookup(netip.MustParseAddr(tt.addr))
		if !ok {
			got = 0
		}
		if got != tt.want {
			t.Errorf("lookup(%s) = %d, want %d", tt.addr, got, tt.want)
		}
	}
	if pt.n != 9 {
		t.Errorf("n = %d, want 9", pt.n)
	}
}

// TestPrefixTableRandom compares the flattened intervals with a brute-force search.
func TestPrefixTableRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 50 {
		var pt prefixTable
		type net struct {
			p   netip.Prefix
			val uint32
		}
		var nets []net
		for i := range 1 + rng.IntN(40) {
			base := uint32(10<<24) | rng.Uint32()&0x00ff_ffff // keep them close enough to nest
			p := netip.PrefixFrom(addrFrom4(base), 8+rng.IntN(25)).Masked()
			pt.put(p, uint32(i))
			nets = append(nets, net{p, uint32(i)})
		}
		pt.finish()
		for range 500 {
			a := addrFrom4(uint32(10<<24) | rng.Uint32()&0x00ff_ffff)
			if rng.IntN(4) == 0 {
				a = nets[rng.IntN(len(nets))].p.Addr()
			}
			want, wantBits := uint32(0), -1
			for _, n := range nets {
				if n.p.Contains(a) && n.p.Bits() >= wantBits {
					want, wantBits = n.val, n.p.Bits() // a repeated network: the later value
				}
			}
			got, ok := pt.lookup(a)
			if ok != (wantBits >= 0) || (ok && got != want) {
				t.Fatalf("round %d: lookup(%s) = %d, %v; want %d, %v", round, a, got, ok, want, wantBits >= 0)
			}
		}
	}
}

func TestRanges(t *testing.T) {
	r, err := LoadRanges(maltrailData(t, "data", "bogon_ranges.txt"), maltrailData(t, "data", "cdn_ranges.txt"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr string
		want bool
	}{
		{"10.1.2.3", true}, {"192.168.0.1", true}, {"100.64.0.1", true}, {"240.0.0.1", true}, // 224.0.0.0/3
		{"104.16.0.1", true}, // Cloudflare
		{"8.8.8.8", false}, {"1.2.3.4", false}, {"::1", false},
	}
	for _, tt := range tests {
		if got := r.Contains(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("Contains(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
	var none *Ranges
	if none.Contains(netip.MustParseAddr("10.0.0.1")) || none.Len() != 0 {
		t.Errorf("nil Ranges: got a match, want none")
	}
	if _, err := LoadRanges(writeTree(t, map[string]string{"r.txt": "10.0.0.0/8\nnot a network\n"}) + "/r.txt"); err == nil {
		t.Errorf("LoadRanges with a bad line: got no error, want one")
	}
}
