package client

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestErrorMessage(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"error":"tenant acme already exists"}`, "tenant acme already exists"},
		{`<html>bad gateway</html>`, "<html>bad gateway</html>"},
		{``, "(empty answer)"},
		{strings.Repeat("x", 300), strings.Repeat("x", 200) + "…"},
	} {
		if got := errorMessage([]byte(tc.body)); got != tc.want {
			t.Errorf("errorMessage(%.20q): got %q, want %q", tc.body, got, tc.want)
		}
	}
}

func TestErrorKinds(t *testing.T) {
	nf := error(&Error{Method: "GET", Path: "/tenants/x", Status: http.StatusNotFound, Message: "tenant not found"})
	wrapped := errors.Join(errors.New("context"), nf)
	if !IsNotFound(wrapped) || IsConflict(wrapped) {
		t.Fatalf("IsNotFound/IsConflict of a wrapped 404: got %t/%t, want true/false", IsNotFound(wrapped), IsConflict(wrapped))
	}
	if got, want := nf.Error(), "GET /tenants/x: 404 Not Found: tenant not found"; got != want {
		t.Fatalf("Error(): got %q, want %q", got, want)
	}
}

func TestNewRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"relative URL", Config{URL: "collector:8443", Username: "a", Password: "b"}, "absolute http(s) URL"},
		{"ftp", Config{URL: "ftp://collector", Username: "a", Password: "b"}, "absolute http(s) URL"},
		{"no password", Config{URL: "https://collector", Username: "a"}, "username and password"},
		{"bad CA", Config{URL: "https://collector", Username: "a", Password: "b", CACertPEM: []byte("nope")}, "no PEM certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
