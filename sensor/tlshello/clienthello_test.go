package tlshello

import (
	"errors"
	"slices"
	"testing"
)

func TestParse(t *testing.T) {
	full := buildHello(0x0303, []uint16{0x0a0a, 0x1301, 0xc02f}, []ext{
		{0x2a2a, nil},
		sniExt("Example.COM", "second.example"),
		alpnExt("h2", "http/1.1"),
		versionsExt(0x4a4a, 0x0304, 0x0303),
		sigAlgsExt(0x0403, 0x0804),
		{0xff01, []byte{0}},
	})
	tests := []struct {
		name     string
		msg      []byte
		versions []uint16
		sni      string
		alpn     string
		ciphers  []uint16
		exts     []uint16
		sigAlgs  []uint16
	}{
		{
			name:     "all fields",
			msg:      full,
			versions: []uint16{0x4a4a, 0x0304, 0x0303},
			sni:      "Example.COM",
			alpn:     "h2",
			ciphers:  []uint16{0x0a0a, 0x1301, 0xc02f},
			exts:     []uint16{0x2a2a, 0x0000, 0x0010, 0x002b, 0x000d, 0xff01},
			sigAlgs:  []uint16{0x0403, 0x0804},
		},
		{
			name:    "no extensions block (SSL 3.0 style)",
			msg:     buildHello(0x0300, []uint16{0x000a}, nil),
			ciphers: []uint16{0x000a},
		},
		{
			name:    "empty extensions block",
			msg:     buildHello(0x0301, []uint16{0x002f}, []ext{}),
			ciphers: []uint16{0x002f},
		},
		{
			name:    "server_name without a host_name entry",
			msg:     buildHello(0x0303, nil, []ext{{extServerName, cat(u16(6), []byte{7}, u16(3), []byte("abc"))}}),
			exts:    []uint16{0x0000},
			ciphers: []uint16{},
		},
		{
			name:    "host_name after another name type",
			msg:     buildHello(0x0303, nil, []ext{{extServerName, cat(u16(13), []byte{7}, u16(3), []byte("abc"), []byte{0}, u16(4), []byte("a.bc"))}}),
			sni:     "a.bc",
			exts:    []uint16{0x0000},
			ciphers: []uint16{},
		},
		{
			name:    "empty server_name body",
			msg:     buildHello(0x0303, nil, []ext{{extServerName, nil}}),
			exts:    []uint16{0x0000},
			ciphers: []uint16{},
		},
		{
			name:    "duplicate extensions: the first counts",
			msg:     buildHello(0x0303, nil, []ext{sniExt("first.example"), alpnExt("x"), sniExt("second.example"), alpnExt("y")}),
			sni:     "first.example",
			alpn:    "x",
			exts:    []uint16{0x0000, 0x0010, 0x0000, 0x0010},
			ciphers: []uint16{},
		},
		{
			name:    "empty first ALPN protocol",
			msg:     buildHello(0x0303, nil, []ext{alpnExt("", "h2")}),
			exts:    []uint16{0x0010},
			ciphers: []uint16{},
		},
		{
			name:     "trailing bytes after the message are ignored",
			msg:      append(slices.Clone(full), 0x0e, 0, 0, 0),
			versions: []uint16{0x4a4a, 0x0304, 0x0303},
			sni:      "Example.COM",
			alpn:     "h2",
			ciphers:  []uint16{0x0a0a, 0x1301, 0xc02f},
			exts:     []uint16{0x2a2a, 0x0000, 0x0010, 0x002b, 0x000d, 0xff01},
			sigAlgs:  []uint16{0x0403, 0x0804},
		},
	}
	var c ClientHello
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.Parse(tt.msg); err != nil {
				t.Fatalf("Parse: got error %v, want nil", err)
			}
			if got := string(c.SNI); got != tt.sni {
				t.Errorf("SNI: got %q, want %q", got, tt.sni)
			}
			if got := string(c.ALPN); got != tt.alpn {
				t.Errorf("ALPN: got %q, want %q", got, tt.alpn)
			}
			for _, l := range []struct {
				name      string
				got, want []uint16
			}{
				{"Versions", c.Versions, tt.versions},
				{"CipherSuites", c.CipherSuites, tt.ciphers},
				{"Extensions", c.Extensions, tt.exts},
				{"SigAlgs", c.SigAlgs, tt.sigAlgs},
			} {
				if len(l.got) != len(l.want) || !slices.Equal(l.got, l.want) {
					t.Errorf("%s: got %04x, want %04x", l.name, l.got, l.want)
				}
			}
		})
	}
}

func TestParseLegacyVersion(t *testing.T) {
	var c ClientHello
	if err := c.Parse(buildHello(0x0301, []uint16{0x002f}, nil)); err != nil {
		t.Fatal(err)
	}
	if c.LegacyVersion != 0x0301 {
		t.Errorf("LegacyVersion: got %#04x, want 0x0301", c.LegacyVersion)
	}
}

func TestParseErrors(t *testing.T) {
	good := buildHello(0x0303, []uint16{0x1301}, []ext{sniExt("a.example"), alpnExt("h2")})
	// Offsets into good: 4 header, 2 version, 32 random, 1 session id len.
	const sidLen = 4 + 2 + 32
	const cipherLen = sidLen + 1
	const compLen = cipherLen + 2 + 2
	const extLen = compLen + 2
	edit := func(at int, b ...byte) []byte {
		m := slices.Clone(good)
		copy(m[at:], b)
		return m
	}
	withBody := func(typ uint16, body []byte) []byte {
		return buildHello(0x0303, nil, []ext{{typ, body}})
	}
	tests := []struct {
		name string
		msg  []byte
		want error
	}{
		{"empty", nil, ErrIncomplete},
		{"header only", good[:4], ErrIncomplete},
		{"one byte short", good[:len(good)-1], ErrIncomplete},
		{"ServerHello", edit(0, typeServerHello), ErrNotClientHello},
		{"session id past end", edit(sidLen, 0xff), ErrMalformed},
		{"odd cipher_suites length", edit(cipherLen, 0, 3), ErrMalformed},
		{"cipher_suites past end", edit(cipherLen, 0xff, 0xfe), ErrMalformed},
		{"compression past end", edit(compLen, 0xff), ErrMalformed},
		{"extensions block past end", edit(extLen, 0xff, 0xff), ErrMalformed},
		{"one stray byte for the extensions length", cat([]byte{1}, u24(compLen-4+3), good[4:compLen], []byte{1, 0, 7}), ErrMalformed},
		{"server_name list length", withBody(extServerName, cat(u16(9), []byte{0}, u16(2), []byte("ab"))), ErrMalformed},
		{"server_name entry past list", withBody(extServerName, cat(u16(5), []byte{0}, u16(9), []byte("ab"))), ErrMalformed},
		{"server_name entry header cut", withBody(extServerName, cat(u16(2), []byte{0, 0})), ErrMalformed},
		{"ALPN list length", withBody(extALPN, cat(u16(1), []byte{2, 'h', '2'})), ErrMalformed},
		{"ALPN protocol past list", withBody(extALPN, cat(u16(3), []byte{5, 'h', '2'})), ErrMalformed},
		{"supported_versions odd", withBody(extSupportedVersions, []byte{3, 3, 4, 3}), ErrMalformed},
		{"supported_versions length", withBody(extSupportedVersions, []byte{4, 3, 4}), ErrMalformed},
		{"signature_algorithms length", withBody(extSignatureAlgs, cat(u16(4), []byte{4, 3})), ErrMalformed},
	}
	// An extension header claiming more bytes than the block holds.
	bad := buildHello(0x0303, nil, []ext{{0x0017, []byte{1, 2}}})
	bad[len(bad)-3] = 9
	tests = append(tests, struct {
		name string
		msg  []byte
		want error
	}{"extension body past block", bad, ErrMalformed})

	var c ClientHello
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.Parse(tt.msg); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// Every prefix of a valid hello is incomplete, never malformed or a panic.
func TestParseTruncated(t *testing.T) {
	msg := specHello(specSigAlgs)
	var c ClientHello
	for n := range len(msg) {
		if err := c.Parse(msg[:n]); !errors.Is(err, ErrIncomplete) {
			t.Fatalf("prefix of %d/%d bytes: got %v, want ErrIncomplete", n, len(msg), err)
		}
	}
	if err := c.Parse(msg); err != nil {
		t.Fatalf("full message: got %v, want nil", err)
	}
}

// A reused ClientHello must not carry fields over from the previous parse.
func TestParseResets(t *testing.T) {
	var c ClientHello
	if err := c.Parse(specHello(specSigAlgs)); err != nil {
		t.Fatal(err)
	}
	if err := c.Parse(buildHello(0x0301, []uint16{0x002f}, nil)); err != nil {
		t.Fatal(err)
	}
	if c.SNI != nil || c.ALPN != nil || len(c.Versions)+len(c.Extensions)+len(c.SigAlgs) != 0 || !slices.Equal(c.CipherSuites, []uint16{0x002f}) {
		t.Errorf("got %+v after re-parse, want only one cipher suite", c)
	}
}
