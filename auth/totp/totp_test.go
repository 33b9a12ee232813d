package totp

import (
	"encoding/base32"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rfcKey is the SHA-1 seed of RFC 4226 appendix D and RFC 6238 appendix B.
const rfcKey = "12345678901234567890"

func TestHOTPVectorsRFC4226(t *testing.T) {
	want := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	for counter, w := range want {
		if got := hotp([]byte(rfcKey), uint64(counter), 6); got != w {
			t.Errorf("HOTP(counter %d) = %s, want %s", counter, got, w)
		}
	}
}

func TestTOTPVectorsRFC6238(t *testing.T) {
	secret := base32.StdEncoding.EncodeToString([]byte(rfcKey))
	tests := []struct {
		unix int64
		want string // 8 digits, as the RFC lists them
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			at := time.Unix(tt.unix, 0)
			if got := hotp([]byte(rfcKey), Step(at), 8); got != tt.want {
				t.Errorf("8-digit TOTP at %d = %s, want %s", tt.unix, got, tt.want)
			}
			// Six digits are the low six of the same truncated value.
			got, err := Code(secret, at)
			if err != nil || got != tt.want[2:] {
				t.Errorf("Code at %d = %q, %v; want %s", tt.unix, got, err, tt.want[2:])
			}
		})
	}
}

func TestVerify(t *testing.T) {
	secret := NewSecret()
	now := time.Unix(1_700_000_015, 0)
	cur := Step(now)
	code := func(step uint64) string {
		c, err := Code(secret, time.Unix(int64(step)*30, 0))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name     string
		code     string
		lastStep uint64
		want     uint64
		ok       bool
	}{
		{"current", code(cur), 0, cur, true},
		{"one step early", code(cur - 1), 0, cur - 1, true},
		{"one step late", code(cur + 1), 0, cur + 1, true},
		{"two steps early", code(cur - 2), 0, 0, false},
		{"two steps late", code(cur + 2), 0, 0, false},
		{"replayed", code(cur), cur, 0, false},
		{"older than the last accepted", code(cur - 1), cur, 0, false},
		{"newer than the last accepted", code(cur + 1), cur, cur + 1, true},
		{"short", code(cur)[:5], 0, 0, false},
		{"letters", "abcdef", 0, 0, false},
		{"empty", "", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, ok := Verify(secret, tt.code, now, tt.lastStep)
			if step != tt.want || ok != tt.ok {
				t.Errorf("Verify = %d, %v; want %d, %v", step, ok, tt.want, tt.ok)
			}
		})
	}
	if _, ok := Verify("not base32!", code(cur), now, 0); ok {
		t.Error("Verify with a malformed secret: got ok, want refused")
	}
}

func TestNewSecret(t *testing.T) {
	a, b := NewSecret(), NewSecret()
	if a == b {
		t.Fatalf("two secrets are equal: %s", a)
	}
	key, err := decode(a)
	if err != nil || len(key) != SecretBytes {
		t.Fatalf("secret %q decodes to %d bytes, %v; want %d", a, len(key), err, SecretBytes)
	}
	// People type secrets in lower case with spaces.
	if _, err := decode(strings.ToLower(a[:4]) + " " + a[4:]); err != nil {
		t.Errorf("lower case with a space: %v", err)
	}
	if _, err := decode("MZXW6==="); err == nil {
		t.Error("a 5-byte secret was accepted")
	}
}

func TestURI(t *testing.T) {
	u, err := url.Parse(URI("Spoor", "acme/alice@example.com", "JBSWY3DPEHPK3PXP"))
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "otpauth" || u.Host != "totp" {
		t.Errorf("scheme and host = %s, %s; want otpauth, totp", u.Scheme, u.Host)
	}
	if want := "/Spoor:acme/alice@example.com"; u.Path != want {
		t.Errorf("label = %q, want %q", u.Path, want)
	}
	q := u.Query()
	for k, want := range map[string]string{"secret": "JBSWY3DPEHPK3PXP", "issuer": "Spoor", "algorithm": "SHA1", "digits": "6", "period": "30"} {
		if got := q.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}
