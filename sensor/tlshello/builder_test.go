package tlshello

import "encoding/binary"

// Builders for crafted handshakes. They produce well-formed bytes unless a
// test edits them afterwards.

type ext struct {
	typ  uint16
	body []byte
}

func u16(v int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(v)) }

func u24(v int) []byte { return []byte{byte(v >> 16), byte(v >> 8), byte(v)} }

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func u16list(vs []uint16) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.BigEndian.AppendUint16(b, v)
	}
	return b
}

func sniExt(names ...string) ext {
	var list []byte
	for _, n := range names {
		list = cat(list, []byte{0}, u16(len(n)), []byte(n))
	}
	return ext{extServerName, cat(u16(len(list)), list)}
}

func alpnExt(protos ...string) ext {
	var list []byte
	for _, p := range protos {
		list = cat(list, []byte{byte(len(p))}, []byte(p))
	}
	return ext{extALPN, cat(u16(len(list)), list)}
}

func versionsExt(vs ...uint16) ext {
	l := u16list(vs)
	return ext{extSupportedVersions, cat([]byte{byte(len(l))}, l)}
}

func sigAlgsExt(vs ...uint16) ext {
	l := u16list(vs)
	return ext{extSignatureAlgs, cat(u16(len(l)), l)}
}

// buildHello returns a ClientHello handshake message (type, length, body).
func buildHello(legacy uint16, ciphers []uint16, exts []ext) []byte {
	body := cat(u16(int(legacy)), make([]byte, 32), []byte{0}, u16(2*len(ciphers)), u16list(ciphers), []byte{1, 0})
	if exts != nil {
		var eb []byte
		for _, e := range exts {
			eb = cat(eb, u16(int(e.typ)), u16(len(e.body)), e.body)
		}
		body = cat(body, u16(len(eb)), eb)
	}
	return cat([]byte{typeClientHello}, u24(len(body)), body)
}

// recordsOf wraps handshake bytes in handshake records whose fragments have
// the given sizes; the last record takes whatever is left.
func recordsOf(msg []byte, sizes ...int) []byte {
	var out []byte
	for _, n := range sizes {
		n = min(n, len(msg))
		out = cat(out, []byte{contentHandshake, 3, 1}, u16(n), msg[:n])
		msg = msg[n:]
	}
	if len(msg) > 0 {
		out = cat(out, []byte{contentHandshake, 3, 1}, u16(len(msg)), msg)
	}
	return out
}

// serverFlight returns a ServerHello and a Certificate message carrying ders,
// as handshake bytes (not yet in records).
func serverFlight(ders ...[]byte) []byte {
	sh := cat([]byte{typeServerHello}, u24(38), u16(0x0303), make([]byte, 32), []byte{0}, u16(0xc02f), []byte{0})
	var list []byte
	for _, d := range ders {
		list = cat(list, u24(len(d)), d)
	}
	cert := cat([]byte{typeCertificate}, u24(3+len(list)), u24(len(list)), list)
	return cat(sh, cert)
}

// The FoxIO JA4 specification's worked example.
var (
	specCiphers = []uint16{0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035}
	specExts    = []uint16{0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015}
	specSigAlgs = []uint16{0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601}
)

// specHello builds a hello with the specification example's lists, GREASE
// sprinkled in, an "h2" ALPN and sigAlgs as given.
func specHello(sigAlgs []uint16) []byte {
	ciphers := append([]uint16{0x5a5a}, specCiphers...)
	exts := []ext{{0x0a0a, nil}}
	for _, t := range specExts {
		switch t {
		case extServerName:
			exts = append(exts, sniExt("example.com"))
		case extALPN:
			exts = append(exts, alpnExt("h2", "http/1.1"))
		case extSupportedVersions:
			exts = append(exts, versionsExt(0x3a3a, 0x0304, 0x0303))
		case extSignatureAlgs:
			if sigAlgs != nil {
				exts = append(exts, sigAlgsExt(sigAlgs...))
			} else {
				exts = append(exts, ext{extSignatureAlgs, u16(0)})
			}
		default:
			exts = append(exts, ext{t, nil})
		}
	}
	exts = append(exts, ext{0xfafa, []byte{0}})
	return buildHello(0x0303, ciphers, exts)
}
