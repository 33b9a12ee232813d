package quic

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"github.com/spoorsec/spoor/sensor/quic/quictest"
	"math/rand/v2"
	"testing"
)

// Key schedule against RFC 9001 A.1 and RFC 9369 A.1.
func TestInitialKeysRFC(t *testing.T) {
	tests := []struct {
		name                         string
		version                      uint32
		initial, client, key, iv, hp string
	}{
		{"v1", version1,
			"7db5df06e7a69e432496adedb00851923595221596ae2ae9fb8115c1e9ed0a44",
			"c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea",
			"1f369613dd76d5467730efcbe3b1a22d", "fa044b2f42a3fd3b46fb255c", "9f50449e04a0e810283a1e9933adedd2"},
		{"v2", version2,
			"2062e8b3cd8d52092614b8071d0aa1fb7c2e3ac193f78b280e72d8f5751f6aba",
			"14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b",
			"8b1a0bc121284290a29e0971b5cd045d", "91f73e2351d8fa91660e909f", "45b95e15235d6f45a6b19cbcb0294ba9"},
	}
	var ks keySchedule
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := paramsFor(tt.version)
			initial := ks.hmac(v.salt, quictest.DCID)
			client := ks.expandLabel(initial[:], "client in", 32)
			key := ks.expandLabel(client[:], v.keyLabel, 16)
			iv := ks.expandLabel(client[:], v.ivLabel, 12)
			hp := ks.expandLabel(client[:], v.hpLabel, 16)
			for _, c := range []struct{ name, got, want string }{
				{"initial_secret", hex.EncodeToString(initial[:]), tt.initial},
				{"client_initial_secret", hex.EncodeToString(client[:]), tt.client},
				{"key", hex.EncodeToString(key[:16]), tt.key},
				{"iv", hex.EncodeToString(iv[:12]), tt.iv},
				{"hp", hex.EncodeToString(hp[:16]), tt.hp},
			} {
				if c.got != c.want {
					t.Errorf("%s: got %s, want %s", c.name, c.got, c.want)
				}
			}
		})
	}
}

// keySchedule against crypto/hmac and crypto/hkdf for random inputs of the
// sizes the Initial schedule uses.
func TestKeyScheduleMatchesStdlib(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	bytesN := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	var ks keySchedule
	for range 200 {
		key, msg := bytesN(rng.IntN(65)), bytesN(rng.IntN(33))
		m := hmac.New(sha256.New, key)
		m.Write(msg)
		if got, want := ks.hmac(key, msg), m.Sum(nil); hex.EncodeToString(got[:]) != hex.EncodeToString(want) {
			t.Fatalf("hmac(%x, %x): got %x, want %x", key, msg, got, want)
		}

		secret, n := bytesN(32), 1+rng.IntN(32)
		label := []string{"client in", "quic key", "quicv2 hp", "x"}[rng.IntN(4)]
		got := ks.expandLabel(secret, label, n)
		if want := stdExpandLabel(t, secret, label, n); hex.EncodeToString(got[:n]) != hex.EncodeToString(want) {
			t.Fatalf("expandLabel(%x, %q, %d): got %x, want %x", secret, label, n, got[:n], want)
		}
	}
}

func TestVarint(t *testing.T) {
	// RFC 9000 Appendix A.1 examples.
	tests := []struct {
		in   string
		want uint64
		n    int
	}{
		{"c2197c5eff14e88c", 151288809941952652, 8},
		{"9d7f3e7d", 494878333, 4},
		{"7bbd", 15293, 2},
		{"25", 37, 1},
		{"4025", 37, 2},
		{"7b", 0, 0}, // truncated
		{"", 0, 0},
	}
	for _, tt := range tests {
		v, n := varint(quictest.Bytes(tt.in))
		if v != tt.want || n != tt.n {
			t.Errorf("varint(%s): got %d/%d, want %d/%d", tt.in, v, n, tt.want, tt.n)
		}
	}
}
