package tlshello

import "testing"

// Steady-state parsing must not allocate: AllocsPerRun's warm-up call lets
// the reused slices grow once.
func TestZeroAllocs(t *testing.T) {
	msg := specHello(specSigAlgs)
	one := recordsOf(msg)
	split := recordsOf(msg, 7, 100)
	server := recordsOf(serverFlight(make([]byte, 900), []byte{1}))
	var c ClientHello
	ja4 := make([]byte, 0, 64)
	r := NewReassembler(4, 1<<14)
	tests := []struct {
		name string
		f    func()
	}{
		{"Parse", func() { _ = c.Parse(msg) }},
		{"ParseRecords one record", func() { _ = ParseRecords(one, &c) }},
		{"ParseRecords split", func() { _ = ParseRecords(split, &c) }},
		{"AppendJA4", func() { ja4 = c.AppendJA4(ja4[:0], 't') }},
		{"AppendJA4Raw", func() { ja4 = c.AppendJA4Raw(ja4[:0], 't') }},
		{"ServerCertificateSHA1", func() { _, _ = ServerCertificateSHA1(server) }},
		{"Reassembler two segments", func() {
			r.Add(clientKey, 0, split[:50], 1)
			r.Add(clientKey, 50, split[50:], 1)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := testing.AllocsPerRun(100, tt.f); n != 0 {
				t.Errorf("got %v allocations per run, want 0", n)
			}
		})
	}
}
