package ingest

import (
	"bytes"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func TestParseEncoding(t *testing.T) {
	tests := []struct {
		in   string
		want Encoding
		ok   bool
	}{
		{"", Identity, true}, {"identity", Identity, true}, {"gzip", Gzip, true}, {"x-gzip", Gzip, true},
		{"ZSTD", Zstd, true}, {"br", "", false}, {"gzip, zstd", "", false}, {"deflate", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseEncoding(tt.in)
			if got != tt.want || (err == nil) != tt.ok {
				t.Errorf("ParseEncoding(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
			}
			if err != nil && ReasonOf(err) != ReasonEncoding {
				t.Errorf("reason %q, want %q", ReasonOf(err), ReasonEncoding)
			}
		})
	}
}

func TestDecompressRoundTrip(t *testing.T) {
	plain := AppendBatch(nil, testHeader(), demoEvents(t))
	d, err := NewDecompressor(len(plain))
	if err != nil {
		t.Fatal(err)
	}
	for _, enc := range []Encoding{Identity, Gzip, Zstd} {
		t.Run(string(enc), func(t *testing.T) {
			z, err := Compress(nil, enc, plain)
			if err != nil {
				t.Fatal(err)
			}
			got, err := d.Decode(nil, enc, z)
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("Decode: %d bytes, %v; want the %d original bytes", len(got), err, len(plain))
			}
			if enc != Identity {
				t.Logf("%s: %d -> %d bytes (%.1f%%)", enc, len(plain), len(z), 100*float64(len(z))/float64(len(plain)))
			}
		})
	}
}

// bombs returns bodies that inflate to n zero bytes, as gzip, zstd with
// a declared size, zstd streamed without one, and many small zstd frames.
func bombs(tb testing.TB, n int) map[string]struct {
	enc  Encoding
	body []byte
} {
	zeros := make([]byte, n)
	gz, err := Compress(nil, Gzip, zeros)
	if err != nil {
		tb.Fatal(err)
	}
	zs, _ := Compress(nil, Zstd, zeros)
	var stream bytes.Buffer
	w, _ := zstd.NewWriter(&stream)
	for i := 0; i < n; i += 1 << 16 {
		w.Write(zeros[i:min(i+1<<16, n)])
	}
	w.Close()
	var frames []byte
	for i := 0; i < n; i += 1 << 16 {
		frames, _ = Compress(frames, Zstd, zeros[:1<<16])
	}
	return map[string]struct {
		enc  Encoding
		body []byte
	}{
		"gzip": {Gzip, gz}, "zstd": {Zstd, zs}, "zstd stream": {Zstd, stream.Bytes()}, "zstd frames": {Zstd, frames},
	}
}

func TestDecompressBombs(t *testing.T) {
	const limit = 1 << 20
	d, _ := NewDecompressor(limit)
	for name, b := range bombs(t, 64<<20) {
		t.Run(name, func(t *testing.T) {
			out, err := d.Decode(nil, b.enc, b.body)
			if ReasonOf(err) != ReasonTooLarge {
				t.Fatalf("%d-byte %s bomb: %d bytes out, error %v; want %s", len(b.body), b.enc, len(out), err, ReasonTooLarge)
			}
		})
	}
	t.Run("identity", func(t *testing.T) {
		if _, err := d.Decode(nil, Identity, make([]byte, limit+1)); ReasonOf(err) != ReasonTooLarge {
			t.Errorf("oversized identity body: error %v, want %s", err, ReasonTooLarge)
		}
	})
	t.Run("exactly the limit", func(t *testing.T) {
		for _, enc := range []Encoding{Gzip, Zstd} {
			z, _ := Compress(nil, enc, make([]byte, limit))
			if out, err := d.Decode(nil, enc, z); err != nil || len(out) != limit {
				t.Errorf("%s body of exactly the limit: %d bytes, %v; want %d, nil", enc, len(out), err, limit)
			}
		}
	})
}

func TestDecompressCorrupt(t *testing.T) {
	d, _ := NewDecompressor(1 << 20)
	plain := AppendBatch(nil, testHeader(), demoEvents(t)[:100])
	for _, enc := range []Encoding{Gzip, Zstd} {
		z, _ := Compress(nil, enc, plain)
		for name, body := range map[string][]byte{
			"truncated": z[:len(z)/2],
			"garbage":   []byte("this is not compressed at all"),
			"flipped":   flip(z, len(z)/2),
		} {
			t.Run(string(enc)+" "+name, func(t *testing.T) {
				out, err := d.Decode(nil, enc, body)
				if err == nil && bytes.Equal(out, plain) {
					t.Fatalf("corrupt body decoded to the original")
				}
				if err != nil && ReasonOf(err) != ReasonEncoding {
					t.Errorf("reason %q (%v), want %q", ReasonOf(err), err, ReasonEncoding)
				}
			})
		}
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0x55
	return c
}

func FuzzDecompress(f *testing.F) {
	// Small bombs and limit: the fuzzer gets many runs in its time.
	for _, b := range bombs(f, 256<<10) {
		f.Add(b.body, b.enc == Zstd)
	}
	plain := AppendBatch(nil, testHeader(), demoEvents(f)[:50])
	if len(plain) > 64<<10 {
		f.Fatalf("seed batch of %d bytes exceeds the fuzz limit", len(plain))
	}
	gz, _ := Compress(nil, Gzip, plain)
	zs, _ := Compress(nil, Zstd, plain)
	f.Add(gz, false)
	f.Add(zs, true)
	const limit = 64 << 10
	d, _ := NewDecompressor(limit)
	f.Fuzz(func(t *testing.T, body []byte, isZstd bool) {
		enc := Gzip
		if isZstd {
			enc = Zstd
		}
		out, err := d.Decode(nil, enc, body)
		if err == nil && len(out) > limit {
			t.Fatalf("decoded %d bytes, limit %d", len(out), limit)
		}
		if err != nil && ReasonOf(err) == "" {
			t.Fatalf("error without a reason: %v", err)
		}
	})
}
