package quic

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"fmt"
)

const (
	version1 = 0x00000001 // RFC 9000
	version2 = 0x6b3343cf // RFC 9369
)

// versionParams are what differs between QUIC versions for Initial packets.
type versionParams struct {
	salt                       []byte
	keyLabel, ivLabel, hpLabel string
	// Long-header packet type bits (first byte, bits 4–5) per type.
	initialType, zeroRTTType, handshakeType, retryType byte
}

var (
	paramsV1 = versionParams{
		salt:     []byte{0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a},
		keyLabel: "quic key", ivLabel: "quic iv", hpLabel: "quic hp",
		initialType: 0, zeroRTTType: 1, handshakeType: 2, retryType: 3,
	}
	paramsV2 = versionParams{
		salt:     []byte{0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9},
		keyLabel: "quicv2 key", ivLabel: "quicv2 iv", hpLabel: "quicv2 hp",
		initialType: 1, zeroRTTType: 2, handshakeType: 3, retryType: 0,
	}
)

func paramsFor(version uint32) *versionParams {
	switch version {
	case version1:
		return &paramsV1
	case version2:
		return &paramsV2
	}
	return nil
}

// keySchedule computes HKDF-SHA256 (RFC 5869) for the short inputs of the
// Initial key schedule into reused scratch. crypto/hmac and crypto/hkdf
// allocate for every key, and this runs for every Initial with an unseen
// connection ID; the tests check it against both.
type keySchedule struct {
	buf [64 + 64]byte // HMAC block, then the message (at most 64 bytes here)
}

// hmac returns HMAC-SHA256(key, msg) for len(key) ≤ 64 and len(msg) ≤ 64.
func (k *keySchedule) hmac(key, msg []byte) [32]byte {
	pad := func(x byte) []byte {
		b := k.buf[:64]
		for i := range b {
			b[i] = x
		}
		for i, v := range key {
			b[i] ^= v
		}
		return b
	}
	inner := sha256.Sum256(append(pad(0x36), msg...))
	return sha256.Sum256(append(pad(0x5c), inner[:]...))
}

// expandLabel is TLS 1.3's HKDF-Expand-Label(secret, label, "", length)
// (RFC 8446 §7.1) for length ≤ 32, i.e. one HKDF-Expand block.
func (k *keySchedule) expandLabel(secret []byte, label string, length int) [32]byte {
	var info [64]byte
	b := append(info[:0], 0, byte(length), byte(6+len(label)))
	b = append(b, "tls13 "...)
	b = append(b, label...)
	b = append(b, 0, 1) // empty context, then HKDF-Expand's block counter
	return k.hmac(secret, b)
}

// initialKeys protect the client's Initial packets of one connection.
type initialKeys struct {
	aead cipher.AEAD  // AES-128-GCM
	hp   cipher.Block // AES-128 for header protection
	iv   [12]byte
}

// derive computes the client Initial keys for dcid (RFC 9001 §5.2). It
// allocates the two AES instances and the GCM; nothing else.
func (ik *initialKeys) derive(ks *keySchedule, v *versionParams, dcid []byte) error {
	initial := ks.hmac(v.salt, dcid) // HKDF-Extract(salt, dcid)
	client := ks.expandLabel(initial[:], "client in", 32)
	key := ks.expandLabel(client[:], v.keyLabel, 16)
	iv := ks.expandLabel(client[:], v.ivLabel, 12)
	hp := ks.expandLabel(client[:], v.hpLabel, 16)

	block, err := aes.NewCipher(key[:16])
	if err != nil {
		return fmt.Errorf("cannot create Initial packet cipher: %w", err)
	}
	if ik.aead, err = cipher.NewGCM(block); err != nil {
		return fmt.Errorf("cannot create Initial packet AEAD: %w", err)
	}
	if ik.hp, err = aes.NewCipher(hp[:16]); err != nil {
		return fmt.Errorf("cannot create header protection cipher: %w", err)
	}
	copy(ik.iv[:], iv[:12])
	return nil
}
