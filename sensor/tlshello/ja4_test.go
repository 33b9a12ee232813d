package tlshello

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

func TestAppendJA4(t *testing.T) {
	greaseSigAlgs := append([]uint16{0x1a1a}, specSigAlgs...)
	tests := []struct {
		name      string
		msg       []byte
		transport byte
		want      string
	}{
		// The specification's worked example, with GREASE added everywhere.
		{"specification example", specHello(specSigAlgs), 't', "t13d1516h2_8daaf6152771_e5627efa2ab1"},
		{"QUIC", specHello(specSigAlgs), 'q', "q13d1516h2_8daaf6152771_e5627efa2ab1"},
		{"GREASE signature algorithm ignored", specHello(greaseSigAlgs), 't', "t13d1516h2_8daaf6152771_e5627efa2ab1"},
		// "the string ends without an underscore": the spec's 6d807ffa2a79.
		{"no signature algorithms", specHello([]uint16{}), 't', "t13d1516h2_8daaf6152771_6d807ffa2a79"},
		{"no ciphers, only SNI and ALPN extensions", buildHello(0x0303, nil, []ext{sniExt("a.b"), alpnExt("http/1.1")}), 't', "t12d0002h1_000000000000_000000000000"},
		{"no SNI extension, no ALPN", buildHello(0x0301, []uint16{0x002f}, []ext{}), 't', "t10i010000_" + hash12("002f") + "_000000000000"},
		{"SNI extension without a usable name still counts as domain", buildHello(0x0303, []uint16{0x002f}, []ext{{extServerName, nil}}), 't', "t12d010100_" + hash12("002f") + "_000000000000"},
		{"draft TLS 1.3 version is unknown", buildHello(0x0303, []uint16{0x1301}, []ext{versionsExt(0x7f12, 0x0303)}), 't', "t00i0101" + "00_" + hash12("1301") + "_" + hash12("002b")},
		{"only GREASE supported_versions falls back to legacy", buildHello(0x0302, []uint16{0x1301}, []ext{versionsExt(0x0a0a)}), 't', "t11i010100_" + hash12("1301") + "_" + hash12("002b")},
	}
	var c ClientHello
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.Parse(tt.msg); err != nil {
				t.Fatal(err)
			}
			if got := string(c.AppendJA4(nil, tt.transport)); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func hash12(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}

func TestAppendJA4Raw(t *testing.T) {
	var c ClientHello
	if err := c.Parse(specHello(specSigAlgs)); err != nil {
		t.Fatal(err)
	}
	want := "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601"
	if got := string(c.AppendJA4Raw(nil, 't')); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestJA4Counts(t *testing.T) {
	ciphers := make([]uint16, 120)
	for i := range ciphers {
		ciphers[i] = uint16(0x0100 + i)
	}
	var exts []ext
	for i := range 105 {
		exts = append(exts, ext{uint16(0x0100 + i), nil})
	}
	var c ClientHello
	if err := c.Parse(buildHello(0x0303, ciphers, exts)); err != nil {
		t.Fatal(err)
	}
	if got := string(c.AppendJA4(nil, 't')[:10]); got != "t12i999900" {
		t.Errorf("got %s, want t12i999900 (counts capped at 99)", got)
	}
}

func TestJA4ALPN(t *testing.T) {
	tests := []struct {
		alpn []byte
		want string
	}{
		{nil, "00"},
		{[]byte{}, "00"},
		{[]byte("h2"), "h2"},
		{[]byte("http/1.1"), "h1"},
		{[]byte("h"), "hh"},
		{[]byte("h3-29"), "h9"},
		// The specification's non-alphanumeric examples.
		{[]byte{0xab}, "ab"},
		{[]byte{0xab, 0xcd}, "ad"},
		{[]byte{0x30, 0xab}, "3b"},
		{[]byte{0x30, 0x31, 0xab, 0xcd}, "3d"},
		{[]byte{0x30, 0xab, 0xcd, 0x31}, "01"},
	}
	for _, tt := range tests {
		if got := string(appendALPNCode(nil, tt.alpn)); got != tt.want {
			t.Errorf("ALPN %x: got %q, want %q", tt.alpn, got, tt.want)
		}
	}
}

func TestJA4VersionCode(t *testing.T) {
	tests := []struct {
		v    uint16
		want string
	}{
		{0x0304, "13"}, {0x0303, "12"}, {0x0302, "11"}, {0x0301, "10"}, {0x0300, "s3"},
		{0x0002, "s2"}, {0xfeff, "d1"}, {0xfefd, "d2"}, {0xfefc, "d3"}, {0x7f1c, "00"}, {0, "00"},
	}
	for _, tt := range tests {
		if got := ja4VersionCode(tt.v); got != tt.want {
			t.Errorf("%#04x: got %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestIsGREASE(t *testing.T) {
	n := 0
	for v := range 1 << 16 {
		if isGREASE(uint16(v)) {
			n++
			if v>>8 != v&0xff || v&0x0f != 0x0a {
				t.Errorf("%#04x classified as GREASE", v)
			}
		}
	}
	if n != 16 {
		t.Errorf("got %d GREASE values, want 16", n)
	}
}
