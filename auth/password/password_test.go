package password

import (
	"errors"
	"strings"
	"testing"
)

var fast = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashVerify(t *testing.T) {
	h, err := Hash("correct horse battery", fast)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("got %q, want a PHC argon2id string", h)
	}
	if err := Verify("correct horse battery", h); err != nil {
		t.Errorf("right password: got %v", err)
	}
	if err := Verify("correct horse batterY", h); !errors.Is(err, ErrMismatch) {
		t.Errorf("wrong password: got %v, want ErrMismatch", err)
	}
	h2, _ := Hash("correct horse battery", fast)
	if h == h2 {
		t.Error("two hashes of one password are equal: salt not random")
	}
}

func TestHashRejectsShort(t *testing.T) {
	if _, err := Hash("short", fast); !errors.Is(err, ErrTooShort) {
		t.Errorf("got %v, want ErrTooShort", err)
	}
}

func TestVerifyRejectsMalformed(t *testing.T) {
	for _, enc := range []string{
		"", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=18$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$",
	} {
		if err := Verify("whatever password", enc); !errors.Is(err, ErrBadEncoded) {
			t.Errorf("Verify(%q): got %v, want ErrBadEncoded", enc, err)
		}
	}
}

func TestNeedsRehash(t *testing.T) {
	h, _ := Hash("correct horse battery", fast)
	if !NeedsRehash(h, Default) {
		t.Error("weak hash: got false, want true")
	}
	if NeedsRehash(h, fast) {
		t.Error("same params: got true, want false")
	}
}

func FuzzVerify(f *testing.F) {
	h, _ := Hash("correct horse battery", fast)
	f.Add("correct horse battery", h)
	f.Add("x", "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
	f.Fuzz(func(t *testing.T, pw, enc string) {
		Verify(pw, enc)
	})
}
