package tlshello

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// flowResult is what one completed handshake of a capture yields.
type flowResult struct {
	sni, ja4, cert string
}

func captureResults(tb testing.TB, rel string) map[string]flowResult {
	tb.Helper()
	out := map[string]flowResult{}
	for _, h := range reassemble(tb, readTCP(tb, rel)) {
		var res flowResult
		var c ClientHello
		if err := ParseRecords(h.data, &c); err == nil {
			res.sni = string(c.SNI)
			res.ja4 = string(c.AppendJA4(nil, 't'))
		}
		if sum, ok := ServerCertificateSHA1(h.data); ok {
			res.cert = hex.EncodeToString(sum[:])
		}
		out[h.key.String()] = res
	}
	return out
}

// Expected values come from each capture's own oracle: Maltrail's manifest,
// Zeek's logs, Suricata's test.yaml, Arkime's .test and nDPI's .out files.
func TestCaptures(t *testing.T) {
	type flow struct {
		key  string
		want flowResult
	}
	tests := []struct {
		pcap  string
		flows []flow
	}{
		{"pcaps/maltrail/tls_sni.pcap", []flow{
			{"10.0.0.66:50400->203.0.113.30:443", flowResult{sni: "tls-evil.example", ja4: "t12d010100_0f2cb44170f4_000000000000"}},
			{"10.0.0.66:50401->203.0.113.31:443", flowResult{sni: "clean.example", ja4: "t12d010100_0f2cb44170f4_000000000000"}},
		}},
		{"pcaps/zeek/Traces/tls/tls-conn-with-extensions.pcap", []flow{
			{"192.168.1.105:62045->74.125.224.79:443", flowResult{sni: "ssl.gstatic.com", ja4: "t10d360600_b06c425f59b5_eb0e26099a3f"}},
			{"74.125.224.79:443->192.168.1.105:62045", flowResult{cert: "82437e7830614e2500679d121590d25381de1dac"}},
		}},
		{"pcaps/zeek/Traces/tls/chrome-34-google.pcap", []flow{
			{"192.168.4.149:55881->74.125.239.152:443", flowResult{sni: "google.de", ja4: "t12d2011s3_8dd61975155f_06a4338d0495"}},
		}},
		{"pcaps/zeek/Traces/tls/tls13-ech.pcap", []flow{
			{"192.168.20.65:51066->162.159.138.85:443", flowResult{sni: "cloudflare-ech.com", ja4: "t13d1517h2_8daaf6152771_b1ff8ab2d16f"}},
			{"162.159.138.85:443->192.168.20.65:51066", flowResult{}}, // TLS 1.3: no plaintext certificate
		}},
		{"pcaps/zeek/Traces/tls/ssl.v3.pcap", []flow{
			{"194.127.84.106:443->192.150.187.164:58868", flowResult{cert: "2c322ae2b7fe91391345e070b63668978bb1c9da"}},
			{"194.127.84.106:443->192.150.187.164:58870", flowResult{cert: "2c322ae2b7fe91391345e070b63668978bb1c9da"}},
		}},
		{"pcaps/suricata-verify/tls/tls-glupteba/input.pcap", []flow{
			{"72.16.54.30:443->192.168.134.106:23481", flowResult{cert: "e9a06950ba18dcacd3a7fe58224a1f425bbc96b0"}},
		}},
		{"pcaps/suricata-verify/tls/tls13-draft28/tls13_draft28.pcap", []flow{
			{"[::1]:39632->[::1]:4433", flowResult{sni: "localhost", ja4: "t00d291200_723694b0fccc_aaaa04918165"}},
		}},
		{"pcaps/suricata-verify/community-id-ipv4/input.pcap", []flow{
			{"172.26.0.39:35958->172.217.14.206:443", flowResult{sni: "ipv4.google.com", ja4: "t13d3613h2_018971650b2c_e7e754ef087b"}},
		}},
		{"pcaps/arkime/tls13.pcap", []flow{
			{"[2001:16d8:ffce:10:aca8:353c:291d:a9b3]:62510->[2400:cb00:2048:1::6813:c266]:443", flowResult{sni: "blog.cloudflare.com", ja4: "t00d1815h2_a30347de7a75_2a77702ff8e0"}},
		}},
		{"pcaps/ndpi/malware.pcap", []flow{
			{"192.168.0.20:41240->193.109.85.123:443", flowResult{sni: "hobbeach.com", ja4: "t13d1515h2_8daaf6152771_6a09c78d0dc2"}},
			{"193.109.85.123:443->192.168.0.20:41240", flowResult{cert: "30c908a75dac712c070051204d91dc3cba7e0a46"}},
			{"192.168.7.7:35236->67.215.92.210:443", flowResult{sni: "www.internetbadguys.com", ja4: "t13d1814h2_29a2cd9e9f10_d267a5f792d4"}},
			{"67.215.92.210:443->192.168.7.7:35236", flowResult{cert: "21b4cf84133a21a4b00263763984eaed27ee517c"}},
		}},
		{"pcaps/ndpi/tor.pcap", []flow{
			{"192.168.1.252:51110->91.143.93.242:443", flowResult{sni: "www.ct7ctrgb6cr7.com", ja4: "t10d360300_77f462745360_33a13ba74d1c"}},
			{"91.143.93.242:443->192.168.1.252:51110", flowResult{cert: "94f9ffe27fdb1fb81965206ff6deb6a5d5af14c7"}},
			{"192.168.1.252:51112->38.229.70.53:443", flowResult{sni: "www.q4cyamnc6mtokjurvdclt.com", ja4: "t10d360300_77f462745360_33a13ba74d1c"}},
			{"38.229.70.53:443->192.168.1.252:51112", flowResult{cert: "c193182ca31dac5fc7de178a4eb1e813bb08733a"}},
			{"46.59.52.31:443->192.168.1.252:51111", flowResult{cert: "3ab18a6fc3f641ed77d540c385798b6246bc659c"}},
			{"212.83.155.250:443->192.168.1.252:51174", flowResult{cert: "f91d5f898fd8581e45e79ba6fd909577ffdde81b"}},
			{"62.210.137.230:443->192.168.1.252:51185", flowResult{cert: "ee86e72136932330dba009485516cba8e9da01d0"}},
		}},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.pcap, "pcaps/"), func(t *testing.T) {
			got := captureResults(t, tt.pcap)
			for _, f := range tt.flows {
				res, ok := got[f.key]
				if !ok {
					t.Errorf("%s: no completed handshake, want %+v", f.key, f.want)
					continue
				}
				if res != f.want {
					t.Errorf("%s: got %+v, want %+v", f.key, res, f.want)
				}
			}
		})
	}
}

// Arkime's ja4_r for the same hello, byte for byte.
func TestCaptureJA4RawArkime(t *testing.T) {
	hs := reassemble(t, readTCP(t, "pcaps/arkime/tls13.pcap"))
	var c ClientHello
	if err := ParseRecords(hs[0].data, &c); err != nil {
		t.Fatal(err)
	}
	want := "t00d1815h2_000a,002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cc13,cc14,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,0023,0028,002b,002d,7550,ff01_0403,0804,0401,0503,0805,0501,0806,0601,0201"
	if got := string(c.AppendJA4Raw(nil, 't')); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// Suricata's test.yaml expects t10i070600_c50f5591e341_ce66f3b797c1 for this
// hello, which has no signature_algorithms: Suricata hashes the extension
// list with a trailing "_", where the JA4 specification (and FoxIO's and
// nDPI's implementations) end the string without one. The test pins both: our
// value follows the specification, and Suricata's differs only by that "_".
func TestCaptureJA4SuricataNoSigAlgs(t *testing.T) {
	hs := reassemble(t, readTCP(t, "pcaps/suricata-verify/bug-5713-01/TLSv1-Extracted-MaliciousC2.pcap"))
	var c ClientHello
	if err := ParseRecords(hs[0].data, &c); err != nil {
		t.Fatal(err)
	}
	if got, want := string(c.AppendJA4(nil, 't')), "t10i070600_c50f5591e341_c39ab67fec8e"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	raw := string(c.AppendJA4Raw(nil, 't'))
	extList := raw[strings.LastIndexByte(raw, '_')+1:]
	if got, want := hash12(extList+"_"), "ce66f3b797c1"; got != want {
		t.Errorf("Suricata's JA4_c: got %s from %q, want %s", got, extList+"_", want)
	}
}

// Zeek logs SHA-256 fingerprints; the DER ServerCertificateSHA1 hashes must
// be the leaf Zeek reports first.
func TestCaptureLeafMatchesZeek(t *testing.T) {
	tests := []struct {
		pcap, server, sha256, contains string
	}{
		{"pcaps/zeek/Traces/tls/tls-conn-with-extensions.pcap", "74.125.224.79:443->192.168.1.105:62045", "a580247a25324adf4add5af648de4ac5798030dfd622f26a5f2280d7528ae244", "gstatic.com"},
		{"pcaps/zeek/Traces/tls/ecdsa-cert.pcap", "23.92.19.75:443->192.168.4.149:49422", "", "www.pantz.org"},
	}
	for _, tt := range tests {
		t.Run(tt.server, func(t *testing.T) {
			for _, h := range reassemble(t, readTCP(t, tt.pcap)) {
				if h.key.String() != tt.server {
					continue
				}
				der := leafDER(t, h.data)
				if sum := sha256.Sum256(der); tt.sha256 != "" && hex.EncodeToString(sum[:]) != tt.sha256 {
					t.Errorf("leaf SHA-256: got %x, want %s", sum, tt.sha256)
				}
				if !bytes.Contains(der, []byte(tt.contains)) {
					t.Errorf("leaf does not name %s", tt.contains)
				}
				return
			}
			t.Fatalf("no server flight for %s", tt.server)
		})
	}
}

func leafDER(tb testing.TB, data []byte) []byte {
	tb.Helper()
	s, n, err := seekLeafCertificate(data)
	if err != nil {
		tb.Fatal(err)
	}
	var der []byte
	for len(der) < n {
		b, err := s.next(n - len(der))
		if err != nil {
			tb.Fatal(err)
		}
		der = append(der, b...)
	}
	return der
}

// A real ClientHello cut into TCP segments every way that matters comes
// back whole through the Reassembler, with nDPI's JA4.
func TestCaptureSplitHello(t *testing.T) {
	var stream []byte
	for _, h := range reassemble(t, readTCP(t, "pcaps/ndpi/malware.pcap")) {
		if h.key.String() == "192.168.0.20:41240->193.109.85.123:443" {
			stream = h.data
		}
	}
	if stream == nil {
		t.Fatal("hobbeach.com hello not found")
	}
	n := len(stream)
	const want = "t13d1515h2_8daaf6152771_6a09c78d0dc2"
	tests := []struct {
		name string
		segs []seg
	}{
		{"inside the record header", splitAt(n, 3)},
		{"inside the handshake header", splitAt(n, 7)},
		{"inside the SNI", splitAt(n, 130)},
		{"MSS-sized", splitAt(n, 536)},
		{"many", splitAt(n, 1, 2, 5, 9, 100, 101, 400, 651)},
		{"reordered tail", []seg{{0, 100}, {300, n}, {100, 300}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReassembler(8, 16<<10)
			var data []byte
			for i, s := range tt.segs {
				d, done := r.Add(clientKey, 1000+uint32(s.lo), stream[s.lo:s.hi], 5)
				if done != (i == len(tt.segs)-1) {
					t.Fatalf("segment %d: got done=%v", i, done)
				}
				data = d
			}
			var c ClientHello
			if err := ParseRecords(data, &c); err != nil {
				t.Fatal(err)
			}
			if got := string(c.AppendJA4(nil, 't')); got != want || string(c.SNI) != "hobbeach.com" {
				t.Errorf("got %s %q, want %s hobbeach.com", got, c.SNI, want)
			}
		})
	}
}
