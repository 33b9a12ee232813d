package tlshello

import "encoding/binary"

// Handshake message types (RFC 8446 §4, RFC 5246 §7.4).
const (
	typeClientHello       = 1
	typeServerHello       = 2
	typeCertificate       = 11
	typeServerKeyExchange = 12
	typeCertificateReq    = 13
	typeServerHelloDone   = 14
)

// Extension code points read by Parse.
const (
	extServerName        = 0x0000
	extSignatureAlgs     = 0x000d
	extALPN              = 0x0010
	extSupportedVersions = 0x002b
)

// ClientHello is the part of a TLS ClientHello a sensor inspects. A value is
// meant to be reused: Parse and ParseRecords overwrite every field and keep
// the slices' backing arrays, so steady-state parsing does not allocate.
//
// SNI and ALPN alias the parsed bytes: the input of Parse, the input of
// ParseRecords when the hello sits in one record, or a buffer owned by c
// when it spans records. They stay valid until that input changes or c
// parses again. Lists keep GREASE values and wire order; AppendJA4 drops
// GREASE where the JA4 specification says so.
type ClientHello struct {
	LegacyVersion uint16
	Versions      []uint16 // supported_versions extension, reused backing
	SNI           []byte   // first host_name of server_name, aliases input
	ALPN          []byte   // first ALPN protocol, aliases input
	CipherSuites  []uint16 // reused backing, original order
	Extensions    []uint16 // extension types, reused backing, original order
	SigAlgs       []uint16 // signature_algorithms, reused backing, original order

	gather []byte   // a hello copied out of several records
	sorted []uint16 // JA4 scratch: sorted cipher and extension lists
	text   []byte   // JA4 scratch: the strings that get hashed
}

func (c *ClientHello) reset() {
	c.LegacyVersion = 0
	c.Versions = c.Versions[:0]
	c.SNI = nil
	c.ALPN = nil
	c.CipherSuites = c.CipherSuites[:0]
	c.Extensions = c.Extensions[:0]
	c.SigAlgs = c.SigAlgs[:0]
}

// Parse parses one handshake message that starts with type 0x01
// (ClientHello) and its 3-byte length. Bytes after the message are ignored.
// It returns ErrIncomplete (wrapped) when msg ends before the message does,
// ErrNotClientHello for another message type and ErrMalformed for
// inconsistent lengths; on error c's fields are unspecified.
func (c *ClientHello) Parse(msg []byte) error {
	c.reset()
	if len(msg) < 4 {
		return errShortHello
	}
	if msg[0] != typeClientHello {
		return ErrNotClientHello
	}
	n := int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3])
	if len(msg)-4 < n {
		return errShortHello
	}
	b := msg[4 : 4+n]

	// legacy_version, random[32], legacy_session_id<0..32>
	if len(b) < 35 || len(b) < 35+int(b[34]) {
		return errHelloBody
	}
	c.LegacyVersion = binary.BigEndian.Uint16(b)
	b = b[35+int(b[34]):]

	if len(b) < 2 {
		return errCipherList
	}
	cs := int(binary.BigEndian.Uint16(b))
	if cs%2 != 0 || len(b)-2 < cs {
		return errCipherList
	}
	c.CipherSuites = appendU16s(c.CipherSuites, b[2:2+cs])
	b = b[2+cs:]

	if len(b) < 1 || len(b)-1 < int(b[0]) {
		return errCompression
	}
	b = b[1+int(b[0]):]

	// Extensions are optional (SSL 3.0, early TLS 1.0 clients).
	if len(b) == 0 {
		return nil
	}
	if len(b) < 2 {
		return errExtensionsBlock
	}
	el := int(binary.BigEndian.Uint16(b))
	if len(b)-2 < el {
		return errExtensionsBlock
	}
	return c.parseExtensions(b[2 : 2+el])
}

func (c *ClientHello) parseExtensions(b []byte) error {
	var seenSNI, seenALPN, seenVersions, seenSigAlgs bool
	for len(b) > 0 {
		if len(b) < 4 {
			return errExtension
		}
		typ := binary.BigEndian.Uint16(b)
		n := int(binary.BigEndian.Uint16(b[2:]))
		if len(b)-4 < n {
			return errExtension
		}
		body := b[4 : 4+n]
		b = b[4+n:]
		c.Extensions = append(c.Extensions, typ)

		// Duplicates are illegal (RFC 8446 §4.2); the first one counts.
		var err error
		switch {
		case typ == extServerName && !seenSNI:
			seenSNI = true
			c.SNI, err = firstHostName(body)
		case typ == extALPN && !seenALPN:
			seenALPN = true
			c.ALPN, err = firstALPN(body)
		case typ == extSupportedVersions && !seenVersions:
			seenVersions = true
			if len(body) < 1 || int(body[0]) != len(body)-1 || body[0]%2 != 0 {
				return errVersionsList
			}
			c.Versions = appendU16s(c.Versions, body[1:])
		case typ == extSignatureAlgs && !seenSigAlgs:
			seenSigAlgs = true
			if len(body) < 2 || int(binary.BigEndian.Uint16(body)) != len(body)-2 || len(body)%2 != 0 {
				return errSigAlgs
			}
			c.SigAlgs = appendU16s(c.SigAlgs, body[2:])
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// firstHostName returns the first host_name entry of a server_name
// extension body (RFC 6066 §3), or nil when the list has none.
func firstHostName(b []byte) ([]byte, error) {
	if len(b) == 0 {
		// An empty server_name is how a server acknowledges SNI; a client
		// sending it names no host.
		return nil, nil
	}
	if len(b) < 2 || int(binary.BigEndian.Uint16(b)) != len(b)-2 {
		return nil, errServerName
	}
	var name []byte
	for b = b[2:]; len(b) > 0; {
		if len(b) < 3 {
			return nil, errServerName
		}
		n := int(binary.BigEndian.Uint16(b[1:]))
		if len(b)-3 < n {
			return nil, errServerName
		}
		if b[0] == 0 && name == nil {
			name = b[3 : 3+n : 3+n]
		}
		b = b[3+n:]
	}
	return name, nil
}

// firstALPN returns the first protocol name of an ALPN extension body
// (RFC 7301 §3.1), or nil when the list is empty.
func firstALPN(b []byte) ([]byte, error) {
	if len(b) < 2 || int(binary.BigEndian.Uint16(b)) != len(b)-2 {
		return nil, errALPN
	}
	var first []byte
	for b = b[2:]; len(b) > 0; {
		n := int(b[0])
		if len(b)-1 < n {
			return nil, errALPN
		}
		if first == nil {
			first = b[1 : 1+n : 1+n]
		}
		b = b[1+n:]
	}
	return first, nil
}

// appendU16s appends the big-endian 16-bit values in b (even length).
func appendU16s(dst []uint16, b []byte) []uint16 {
	for ; len(b) >= 2; b = b[2:] {
		dst = append(dst, binary.BigEndian.Uint16(b))
	}
	return dst
}
