package tlshello

import (
	"errors"
	"testing"
)

// seedHandshakes adds the handshakes of a few real captures plus crafted
// ones, as records.
func seedHandshakes(f *testing.F) {
	for _, pcap := range []string{
		"pcaps/ndpi/malware.pcap",
		"pcaps/zeek/Traces/tls/ssl.v3.pcap",
		"pcaps/arkime/tls13.pcap",
		"pcaps/suricata-verify/tls/tls13-draft28/tls13_draft28.pcap",
	} {
		for _, h := range reassemble(f, readTCP(f, pcap)) {
			f.Add(h.data)
		}
	}
	f.Add(recordsOf(specHello(specSigAlgs), 3, 100))
	f.Add(recordsOf(serverFlight(make([]byte, 300)), 50))
}

func FuzzClientHello(f *testing.F) {
	seedHandshakes(f)
	var c ClientHello
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 5 && data[0] == contentHandshake {
			data = data[5:] // records seeds: try the handshake message itself
		}
		if err := c.Parse(data); err != nil {
			if !errors.Is(err, ErrIncomplete) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrNotClientHello) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if ja4 := c.AppendJA4(nil, 't'); len(ja4) != 36 {
			t.Fatalf("got %d-byte JA4 %q, want 36", len(ja4), ja4)
		}
		c.AppendJA4Raw(nil, 'q')
		ValidHostname(c.SNI)
	})
}

func FuzzParseRecords(f *testing.F) {
	seedHandshakes(f)
	var c ClientHello
	f.Fuzz(func(t *testing.T, data []byte) {
		err := ParseRecords(data, &c)
		if err == nil {
			c.AppendJA4(nil, 't')
		}
		// The Reassembler must agree with ParseRecords about completeness
		// for a hello handed over in one segment.
		r := NewReassembler(1, 1<<16)
		_, done := r.Add(clientKey, 0, data, 0)
		if err == nil && !done {
			t.Fatal("ParseRecords parsed a hello the Reassembler still waits for")
		}
		if errors.Is(err, ErrIncomplete) && done && len(data) > 5 && data[5] == typeClientHello {
			t.Fatal("the Reassembler returned a hello ParseRecords finds incomplete")
		}
	})
}

func FuzzCertificate(f *testing.F) {
	seedHandshakes(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		_, ok := ServerCertificateSHA1(data)
		if ok {
			if _, _, err := seekLeafCertificate(data); err != nil {
				t.Fatalf("hashed a certificate, then failed to find it: %v", err)
			}
		}
	})
}
