package tlshello

import (
	"errors"
	"slices"
	"testing"
)

func TestParseRecords(t *testing.T) {
	msg := specHello(specSigAlgs)
	tests := []struct {
		name  string
		data  []byte
		alias bool // SNI points into data
	}{
		{"one record", recordsOf(msg), true},
		{"one record followed by more data", cat(recordsOf(msg), []byte{20, 3, 3, 0, 1, 1}), true},
		{"two records", recordsOf(msg, 100), false},
		{"header split across records", recordsOf(msg, 2, 1), false},
		{"one byte per record", recordsOf(msg, slices.Repeat([]int{1}, len(msg))...), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c ClientHello
			if err := ParseRecords(tt.data, &c); err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			if string(c.SNI) != "example.com" || string(c.ALPN) != "h2" || len(c.CipherSuites) != 16 {
				t.Errorf("got SNI %q ALPN %q %d ciphers, want example.com h2 16", c.SNI, c.ALPN, len(c.CipherSuites))
			}
			// SNI aliases the input exactly when no copy was needed.
			inData := sliceWithin(c.SNI, tt.data)
			if inData != tt.alias {
				t.Errorf("SNI aliases input: got %v, want %v", inData, tt.alias)
			}
		})
	}
}

func sliceWithin(s, outer []byte) bool {
	for i := range outer {
		if &outer[i] == &s[0] {
			return true
		}
	}
	return false
}

func TestParseRecordsErrors(t *testing.T) {
	msg := specHello(specSigAlgs)
	sh := serverFlight([]byte{0x30, 0})
	zeroLen := cat([]byte{22, 3, 1, 0, 0}, recordsOf(msg))
	badVersion := recordsOf(msg)
	badVersion[1] = 2
	huge := recordsOf(msg)
	huge[3], huge[4] = 0xff, 0xff
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrIncomplete},
		{"application data", []byte{23, 3, 3, 0, 1, 0}, ErrNotHandshake},
		{"SSLv2-style hello", []byte{0x80, 0x2e, 0x01, 0x03, 0x01}, ErrNotHandshake},
		{"record version", badVersion, ErrNotHandshake},
		{"zero-length record", zeroLen, ErrMalformed},
		{"record length above limit", huge, ErrMalformed},
		{"ServerHello", recordsOf(sh), ErrNotClientHello},
		{"ServerHello split", recordsOf(sh, 3), ErrNotClientHello},
		{"change_cipher_spec inside the hello", cat(recordsOf(msg[:50]), []byte{20, 3, 3, 0, 1, 1}, recordsOf(msg[50:])), ErrMalformed},
		{"malformed hello", recordsOf(cat([]byte{1}, u24(3), []byte{3, 3, 0})), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c ClientHello
			if err := ParseRecords(tt.data, &c); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// Every prefix of a hello's records is incomplete, however it is split.
func TestParseRecordsTruncated(t *testing.T) {
	msg := specHello(specSigAlgs)
	for _, data := range [][]byte{recordsOf(msg), recordsOf(msg, 2, 40, 7)} {
		var c ClientHello
		for n := range len(data) {
			if err := ParseRecords(data[:n], &c); !errors.Is(err, ErrIncomplete) {
				t.Fatalf("prefix of %d/%d bytes: got %v, want ErrIncomplete", n, len(data), err)
			}
		}
	}
}
