package decode

import "testing"

func benchmarkDecode(b *testing.B, link LinkType, frame []byte) {
	var p Packet
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if err := Decode(link, frame, &p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeEthernetIPv4TCP(b *testing.B) {
	payload := string(make([]byte, 1400))
	benchmarkDecode(b, LinkEthernet, cat(ethHdr(etherIPv4), v4(ProtoTCP, tcpSeg(50000, 443, 0x18, []byte{1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2}, payload))))
}

func BenchmarkDecodeEthernetIPv4UDP(b *testing.B) {
	benchmarkDecode(b, LinkEthernet, cat(ethHdr(etherIPv4), v4(ProtoUDP, udpDgram(50001, 53, "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01"))))
}

func BenchmarkDecodeVLANIPv6TCP(b *testing.B) {
	benchmarkDecode(b, LinkEthernet, cat(ethHdr(etherVLAN), vlanTag(100, etherIPv6), v6(ProtoTCP, tcpSeg(50080, 443, 0x02, nil, ""))))
}
