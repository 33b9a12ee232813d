package tlshello

import "testing"

// realHello returns the records of a 2024 Chrome-like hello from a capture
// (ndpi/malware.pcap, hobbeach.com: 15 ciphers, 15 extensions, ECH).
func realHello(b *testing.B) []byte {
	b.Helper()
	for _, h := range reassemble(b, readTCP(b, "pcaps/ndpi/malware.pcap")) {
		if h.key.String() == "192.168.0.20:41240->193.109.85.123:443" {
			return h.data
		}
	}
	b.Fatal("hobbeach.com hello not found")
	return nil
}

func BenchmarkParseRecords(b *testing.B) {
	data := realHello(b)
	var c ClientHello
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := ParseRecords(data, &c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendJA4(b *testing.B) {
	var c ClientHello
	if err := ParseRecords(realHello(b), &c); err != nil {
		b.Fatal(err)
	}
	dst := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		dst = c.AppendJA4(dst[:0], 't')
	}
}

func BenchmarkParseRecordsAndJA4(b *testing.B) {
	data := realHello(b)
	var c ClientHello
	dst := make([]byte, 0, 64)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := ParseRecords(data, &c); err != nil {
			b.Fatal(err)
		}
		dst = c.AppendJA4(dst[:0], 't')
	}
}

func BenchmarkServerCertificateSHA1(b *testing.B) {
	var data []byte
	for _, h := range reassemble(b, readTCP(b, "pcaps/ndpi/malware.pcap")) {
		if h.key.String() == "193.109.85.123:443->192.168.0.20:41240" {
			data = h.data
		}
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, ok := ServerCertificateSHA1(data); !ok {
			b.Fatal("no certificate")
		}
	}
}

// BenchmarkReassemblerSplitHello measures a hello arriving in two segments:
// buffer the first, complete with the second.
func BenchmarkReassemblerSplitHello(b *testing.B) {
	data := realHello(b)
	r := NewReassembler(1024, 16<<10)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r.Add(clientKey, 0, data[:300], 1)
		if _, done := r.Add(clientKey, 300, data[300:], 1); !done {
			b.Fatal("not done")
		}
	}
}
