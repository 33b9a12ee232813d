package tlshello

import (
	"crypto/sha1"
)

// errNoCertificate ends the search for a server certificate when the
// handshake has moved past where a TLS ≤1.2 Certificate message would be,
// or has switched to records that are not plaintext handshake (TLS 1.3).
var errNoCertificate = &parseError{ErrNotHandshake, "tlshello: no plaintext Certificate message in the server flight"}

// seekLeafCertificate walks the server's handshake messages in data up to
// the first certificate of a Certificate message, returning the stream
// positioned at its DER and the DER's length.
func seekLeafCertificate(data []byte) (s recordStream, n int, err error) {
	if len(data) > 0 && data[0] != contentHandshake {
		return s, 0, errRecordType
	}
	s.rest = data
	for {
		typ, mlen, err := s.messageHeader()
		if err == errOtherRecord {
			return s, 0, errNoCertificate
		}
		if err != nil {
			return s, 0, err
		}
		switch typ {
		case typeServerKeyExchange, typeCertificateReq, typeServerHelloDone:
			// In TLS ≤1.2 these follow Certificate; the server sent none.
			return s, 0, errNoCertificate
		case typeCertificate:
			list, err := s.uint24()
			if err != nil {
				return s, 0, err
			}
			n, err := s.uint24()
			if err != nil {
				return s, 0, err
			}
			if n == 0 || list < 3+n || mlen < 3+list {
				return s, 0, malformed("Certificate: certificate_list lengths")
			}
			return s, n, nil
		}
		if err := s.skip(mlen); err != nil {
			if err == errOtherRecord {
				return s, 0, errInterleaved
			}
			return s, 0, err
		}
	}
}

// ServerCertificateSHA1 finds the first Certificate handshake message
// (TLS ≤ 1.2, plaintext) in the server's TLS records and returns the SHA-1 of
// the first (leaf) certificate DER. A Certificate split over records within
// data is handled; ok=false when the leaf certificate is not complete within
// data. The rest of the chain need not be present.
func ServerCertificateSHA1(data []byte) (sum [20]byte, ok bool) {
	s, n, err := seekLeafCertificate(data)
	if err != nil {
		return sum, false
	}
	first, err := s.next(n)
	if err != nil {
		return sum, false
	}
	if len(first) == n {
		return sha1.Sum(first), true
	}
	// The DER spans records. Rare enough that the digest's allocation does
	// not matter.
	h := sha1.New()
	h.Write(first)
	for n -= len(first); n > 0; {
		b, err := s.next(n)
		if err != nil {
			return sum, false
		}
		h.Write(b)
		n -= len(b)
	}
	h.Sum(sum[:0])
	return sum, true
}
