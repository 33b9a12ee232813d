package decode

import "testing"

// FuzzDecode feeds arbitrary frames of every supported link type to
// Decode. Seeds are the crafted test frames and every frame of the real
// captures in the test data. Beyond not panicking, a successful decode
// must leave Payload inside the input.
func FuzzDecode(f *testing.F) {
	for _, tc := range decodeCases() {
		f.Add(uint32(tc.link), tc.frame)
	}
	for _, path := range allCaptures(f) {
		c := readCapture(f, path)
		for i, frame := range c.frames {
			if i == 64 { // a few per file keep the seed corpus small
				break
			}
			f.Add(uint32(c.link), frame)
		}
	}
	links := []LinkType{LinkNull, LinkEthernet, LinkPPP, LinkDLTRaw, LinkDLTRawBSD, LinkRaw, LinkLoop,
		LinkLinuxSLL, LinkIPv4, LinkIPv6, LinkLinuxSLL2}
	f.Fuzz(func(t *testing.T, link uint32, frame []byte) {
		// Fold the fuzzed link type onto the supported ones so every input
		// exercises a real decoder; keep one unsupported value reachable.
		lt := LinkType(link)
		if n := uint32(len(links)); link%(n+1) < n {
			lt = links[link%(n+1)]
		}
		var p Packet
		err := Decode(lt, frame, &p)
		if err != nil {
			return
		}
		if p.Version != 4 && p.Version != 6 {
			t.Fatalf("Version %d without error", p.Version)
		}
		if len(p.Payload) > 0 {
			end := cap(frame) - cap(p.Payload) + len(p.Payload)
			if cap(p.Payload) > cap(frame) || end > len(frame) {
				t.Fatalf("Payload (%d bytes, cap %d) outside the %d-byte frame", len(p.Payload), cap(p.Payload), len(frame))
			}
		}
		if p.Fragment && (p.Payload != nil || p.SrcPort != 0 || p.DstPort != 0) {
			t.Fatalf("fragment with transport fields: %+v", p)
		}
	})
}
