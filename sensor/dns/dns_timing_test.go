package dns

import "testing"

func benchmarkParse(b *testing.B, msg []byte) {
	var m Message
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if err := m.Parse(msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseQuery(b *testing.B) {
	benchmarkParse(b, cat(header(0x1337, 0x0100, 1, 0), question(wireName("www.evil-test-domain.com"), TypeA, 1)))
}

func BenchmarkParseResponse(b *testing.B) {
	benchmarkParse(b, response())
}
