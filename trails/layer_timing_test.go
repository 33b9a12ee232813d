package trails

import (
	"fmt"
	"testing"
)

// BenchmarkLayerStatic layers a tenant overlay of 1,000 custom trails and 100 whitelist
// entries over the full static set: what a sensor pays to apply an overlay change.
func BenchmarkLayerStatic(b *testing.B) {
	base := staticSet(b)
	o := &Overlay{}
	for i := range 1000 {
		o.Trails = append(o.Trails, OverlayTrail{Key: fmt.Sprintf("custom-%d.example", i), Info: "mine", Reference: CustomReference})
	}
	for i := range 100 {
		o.Whitelist = append(o.Whitelist, fmt.Sprintf("10.1.%d.0/24", i))
	}
	wl := loadMaltrailWhitelist(b)
	b.ReportAllocs()
	var l *Set
	for b.Loop() {
		l = base.Layer(o, wl, discardLogger)
	}
	if l.Len() != base.Len()+1000 {
		b.Fatalf("got Len %d, want %d", l.Len(), base.Len()+1000)
	}
}
