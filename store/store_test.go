package store

import (
	"errors"
	"strings"
	"testing"
)

func TestOpenRefusals(t *testing.T) {
	if _, err := OpenEmbedded(env.dir, Options{LibPath: env.lib, Cluster: "c1"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("embedded cluster mode: error %v, want ErrInvalid", err)
	}
	for _, db := range []string{"bad-name", "x`y", "a.b"} {
		if _, err := OpenEmbedded(env.dir, Options{LibPath: env.lib, Database: db}); !errors.Is(err, ErrInvalid) {
			t.Errorf("database %q: error %v, want ErrInvalid", db, err)
		}
	}
	_, err := OpenServer("clickhouse://user:s3cret@127.0.0.1:1/spoor?dial_timeout=200ms", Options{})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("unreachable server: error %v, want one without the password", err)
	}
}

func TestEngineAndDatabase(t *testing.T) {
	for _, ec := range engines() {
		s := newTestStore(t, ec, Options{})
		if s.Engine() != ec.name || !strings.HasPrefix(s.Database(), "spoor_test_") {
			t.Errorf("Engine() = %q, Database() = %q", s.Engine(), s.Database())
		}
	}
}
