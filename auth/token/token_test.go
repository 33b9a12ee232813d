package token

import (
	"errors"
	"strings"
	"testing"
)

func TestNewCheckHash(t *testing.T) {
	for _, k := range []Kind{Sensor, API} {
		t.Run(string(k), func(t *testing.T) {
			a, err := New(k)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := New(k)
			if a == b {
				t.Fatalf("two tokens are equal: %q", a)
			}
			if err := Check(k, a); err != nil {
				t.Errorf("Check(%q): %v, want nil", a, err)
			}
			if got := len(a); got != len(k)+43 {
				t.Errorf("token length %d, want %d", got, len(k)+43)
			}
			if h := Hash(a); len(h) != 64 || h != Hash(a) || h == Hash(b) {
				t.Errorf("Hash(%q) = %q: want 64 hex digits, stable, distinct per token", a, h)
			}
		})
	}
}

func TestCheckRejects(t *testing.T) {
	good, _ := New(Sensor)
	tests := []struct {
		name, tok string
		kind      Kind
	}{
		{"empty", "", Sensor},
		{"wrong kind", good, API},
		{"short", good[:len(good)-1], Sensor},
		{"long", good + "A", Sensor},
		{"bad alphabet", good[:len(good)-1] + "+", Sensor},
		{"prefix only", string(Sensor), Sensor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Check(tt.kind, tt.tok); !errors.Is(err, ErrMalformed) {
				t.Errorf("Check(%q) = %v, want ErrMalformed", tt.tok, err)
			}
		})
	}
}

func TestHashKnownValue(t *testing.T) {
	// SHA-256 of "abc" (FIPS 180-2 test vector): the stored form must stay
	// exactly this function, or every enrolled sensor stops working.
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got := Hash("abc"); got != want {
		t.Errorf("Hash(abc) = %s, want %s", got, want)
	}
}

func TestUDPKey(t *testing.T) {
	id, key, err := NewUDPKey()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(id, "k") || len(id) != 17 {
		t.Errorf("key id %q, want k and 16 hex digits", id)
	}
	b, err := DecodeUDPKey(key)
	if err != nil || len(b) != 32 {
		t.Fatalf("DecodeUDPKey(%q) = %d bytes, %v; want 32 bytes", key, len(b), err)
	}
	for _, bad := range []string{"", key[:42], key + "A", strings.Repeat("*", 43)} {
		if _, err := DecodeUDPKey(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("DecodeUDPKey(%q) = %v, want ErrMalformed", bad, err)
		}
	}
}
