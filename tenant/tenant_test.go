package tenant

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestNew(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"acme", true},
		{"acme-corp_2", true},
		{"0", true},
		{strings.Repeat("a", MaxLen), true},
		{strings.Repeat("a", MaxLen+1), false},
		{"", false},
		{".", false},
		{"..", false},
		{"a.b", false},
		{"Acme", false},
		{"a b", false},
		{"a/b", false},
		{"a\x00", false},
		{"é", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			id, err := New(tt.in)
			if tt.ok {
				if err != nil || id.String() != tt.in {
					t.Fatalf("New(%q) = %q, %v; want %q, nil", tt.in, id, err, tt.in)
				}
				if !id.Valid() {
					t.Fatalf("ID(%q).Valid() = false, want true", tt.in)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("New(%q) error = %v, want ErrInvalid", tt.in, err)
			}
			if ID(tt.in).Valid() {
				t.Fatalf("ID(%q).Valid() = true, want false", tt.in)
			}
		})
	}
}

func TestMustNewPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("MustNew(\"..\") did not panic")
		}
	}()
	MustNew("..")
}

func TestContext(t *testing.T) {
	ctx := context.Background()
	if _, err := FromContext(ctx); !errors.Is(err, ErrNoTenant) {
		t.Fatalf("FromContext(empty) error = %v, want ErrNoTenant", err)
	}
	if _, err := FromContext(WithTenant(ctx, "")); !errors.Is(err, ErrNoTenant) {
		t.Fatalf("FromContext(zero ID) error = %v, want ErrNoTenant", err)
	}
	id := MustNew("acme")
	got, err := FromContext(WithTenant(ctx, id))
	if err != nil || got != id {
		t.Fatalf("FromContext = %q, %v; want %q, nil", got, err, id)
	}
}

func FuzzNew(f *testing.F) {
	for _, s := range []string{"acme", "..", "a.b", "", strings.Repeat("z", 65), "x_y-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := New(s)
		if err != nil {
			return
		}
		if len(id) == 0 || len(id) > MaxLen || strings.ContainsAny(string(id), "./\\ ") {
			t.Fatalf("New accepted %q", s)
		}
		for i := 0; i < len(id); i++ {
			if !allowed(id[i]) {
				t.Fatalf("New accepted byte %q in %q", id[i], s)
			}
		}
	})
}
