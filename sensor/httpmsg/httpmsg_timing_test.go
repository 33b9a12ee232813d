package httpmsg

import "testing"

const benchRequest = "GET /wp-content/plugins/x/readme.txt?ver=5.2.1 HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Language: en-US,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate\r\n" +
	"X-Forwarded-For: 203.0.113.7\r\n" +
	"Connection: keep-alive\r\n" +
	"Cookie: session=0123456789abcdef0123456789abcdef\r\n\r\n"

func BenchmarkRequestParse(b *testing.B) {
	payload := []byte(benchRequest)
	var r Request
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if !r.Parse(payload) {
			b.Fatal("not a request")
		}
	}
}

// BenchmarkRequestParseBinary is the common case on the hot path: a bulk
// TLS segment that must be rejected quickly.
func BenchmarkRequestParseBinary(b *testing.B) {
	payload := make([]byte, 1400)
	for i := range payload {
		payload[i] = byte(i*7 + 3)
	}
	payload[0] = 0x17
	var r Request
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		r.Parse(payload)
	}
}

func BenchmarkResponseParse(b *testing.B) {
	payload := []byte("HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Type: text/html; charset=utf-8\r\n" +
		"Content-Length: 1234\r\nConnection: keep-alive\r\n\r\n<!doctype html><html><head><meta charset=utf-8><title>Welcome</title></head><body>hello</body></html>")
	var r Response
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if !r.Parse(payload) {
			b.Fatal("not a response")
		}
	}
}
