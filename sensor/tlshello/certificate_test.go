package tlshello

import (
	"crypto/sha1"
	"testing"
)

func TestServerCertificateSHA1(t *testing.T) {
	leaf := make([]byte, 700)
	for i := range leaf {
		leaf[i] = byte(i * 7)
	}
	issuer := []byte{0x30, 0x03, 1, 2, 3}
	flight := serverFlight(leaf, issuer)
	want := sha1.Sum(leaf)
	done := []byte{typeServerHelloDone, 0, 0, 0}
	ccs := []byte{20, 3, 3, 0, 1, 1}

	tests := []struct {
		name string
		data []byte
		ok   bool
	}{
		{"one record", recordsOf(flight), true},
		{"ServerHello and Certificate in separate records", recordsOf(flight, 42), true},
		{"leaf split over records", recordsOf(flight, 42, 300, 100), true},
		{"leaf complete, rest of chain missing", recordsOf(flight)[:5+42+4+3+3+len(leaf)], true},
		{"followed by ServerHelloDone and more records", cat(recordsOf(cat(flight, done)), ccs), true},
		{"leaf cut short", recordsOf(flight)[:5+42+4+3+3+len(leaf)-1], false},
		{"leaf split and cut short", recordsOf(flight, 42, 300)[:5+42+5+300+5+10], false},
		{"ServerHello only", recordsOf(flight[:42]), false},
		{"TLS 1.3: ServerHello then change_cipher_spec", cat(recordsOf(flight[:42]), ccs, []byte{23, 3, 3, 0, 1, 0}), false},
		{"ServerHelloDone without Certificate", recordsOf(cat(flight[:42], done)), false},
		{"not a handshake", []byte{23, 3, 3, 0, 1, 0}, false},
		{"empty", nil, false},
		{"zero-length certificate", recordsOf(serverFlight([]byte{})), false},
		{"certificate longer than its list", recordsOf(cat(flight[:42], []byte{typeCertificate}, u24(9), u24(6), u24(5), []byte{1, 2, 3})), false},
		{"list longer than the message", recordsOf(cat(flight[:42], []byte{typeCertificate}, u24(6), u24(9), u24(3), []byte{1, 2, 3})), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ServerCertificateSHA1(tt.data)
			if ok != tt.ok {
				t.Fatalf("ok: got %v, want %v", ok, tt.ok)
			}
			if ok && got != want {
				t.Errorf("got %x, want %x", got, want)
			}
		})
	}
}
