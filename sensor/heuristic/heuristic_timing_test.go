package heuristic

import (
	"net/netip"
	"testing"
)

func BenchmarkSuspiciousRequest(b *testing.B) {
	for _, bc := range []struct{ name, path string }{
		{"benign", "/search/results.php?query=hello+world&page=2&sort=order"},
		{"malicious", "/items.php?id=1 UNION ALL SELECT username,password FROM users"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.path)))
			b.ReportAllocs()
			for b.Loop() {
				SuspiciousRequest(bc.path)
			}
		})
	}
}

func BenchmarkUAMatcher(b *testing.B) {
	m := loadTestUA(b)
	const browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
	b.Run("hit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m.evaluate("sqlmap/1.7.2#stable (https://sqlmap.org)")
		}
	})
	b.Run("miss", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m.evaluate(browser)
		}
	})
	b.Run("cached", func(b *testing.B) {
		m.Match(browser)
		b.ReportAllocs()
		for b.Loop() {
			m.Match(browser)
		}
	})
}

func BenchmarkTCPProbe(b *testing.B) {
	tr := NewTrackers(DefaultConfig(), nil)
	src, dst := netip.MustParseAddr("192.168.1.10"), netip.MustParseAddr("198.51.100.20")
	tr.TCPProbe(t0, src, dst, 40000, 445, flagsSYN)
	b.ReportAllocs()
	for b.Loop() {
		tr.TCPProbe(t0, src, dst, 40000, 445, flagsSYN)
	}
}

func BenchmarkTCPProbeParallel(b *testing.B) {
	tr := NewTrackers(DefaultConfig(), nil)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			src := netip.AddrFrom4([4]byte{192, 168, byte(i >> 8), byte(i)})
			tr.TCPProbe(t0, src, victim, 40000, 443, flagsSYN)
			i = (i + 1) % 4096
		}
	})
}

func BenchmarkDNSQuery(b *testing.B) {
	tr := NewTrackers(DefaultConfig(), nil)
	tr.DNSQuery(t0, client, resolver, 40000, 53, "www.example.com")
	b.ReportAllocs()
	for b.Loop() {
		tr.DNSQuery(t0, client, resolver, 40000, 53, "www.example.com")
	}
}

func BenchmarkSinkholeResponse(b *testing.B) {
	head := []byte("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: 1234\r\n\r\n<html><head><title>Welcome</title></head><body>hello</body></html>")
	b.SetBytes(int64(len(head)))
	b.ReportAllocs()
	for b.Loop() {
		SinkholeResponse(head)
	}
}
