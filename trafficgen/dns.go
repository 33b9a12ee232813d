package trafficgen

import (
	"encoding/binary"
	"net/netip"
	"strings"
)

// DNS record types and response codes the generator uses.
const (
	dnsA        = 1
	dnsAAAA     = 28
	rcodeOK     = 0
	rcodeNXName = 3
)

// appendDNSQuery appends a recursive standard query for name.
func appendDNSQuery(b []byte, id uint16, name string, qtype uint16) []byte {
	b = binary.BigEndian.AppendUint16(b, id)
	b = append(b, 0x01, 0x00) // RD
	b = append(b, 0, 1, 0, 0, 0, 0, 0, 0)
	return appendQuestion(b, name, qtype)
}

// appendDNSResponse appends a recursive resolver's answer to a query for
// name: rcode, and for NOERROR one record per address (A or AAAA by the
// address family) pointing back at the question's name.
func appendDNSResponse(b []byte, id uint16, name string, qtype uint16, rcode uint8, ttl uint32, addrs ...netip.Addr) []byte {
	if rcode != rcodeOK {
		addrs = nil
	}
	b = binary.BigEndian.AppendUint16(b, id)
	b = append(b, 0x81, 0x80|rcode) // QR RD, RA
	b = append(b, 0, 1)
	b = binary.BigEndian.AppendUint16(b, uint16(len(addrs)))
	b = append(b, 0, 0, 0, 0)
	b = appendQuestion(b, name, qtype)
	for _, a := range addrs {
		b = append(b, 0xc0, 12) // pointer to the question name
		if a.Is4() {
			b = append(b, 0, dnsA, 0, 1)
			b = binary.BigEndian.AppendUint32(b, ttl)
			v := a.As4()
			b = append(b, 0, 4)
			b = append(b, v[:]...)
			continue
		}
		b = append(b, 0, dnsAAAA, 0, 1)
		b = binary.BigEndian.AppendUint32(b, ttl)
		v := a.As16()
		b = append(b, 0, 16)
		b = append(b, v[:]...)
	}
	return b
}

func appendQuestion(b []byte, name string, qtype uint16) []byte {
	for name != "" {
		label, rest, _ := strings.Cut(name, ".")
		b = append(b, byte(len(label)))
		b = append(b, label...)
		name = rest
	}
	b = append(b, 0)
	b = binary.BigEndian.AppendUint16(b, qtype)
	return append(b, 0, 1)
}

// validName reports whether name can be written as a DNS question: labels
// of 1 to 63 letters, digits, hyphens or underscores, 253 bytes at most.
func validName(name string) bool {
	if name == "" || len(name) > 253 {
		return false
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
