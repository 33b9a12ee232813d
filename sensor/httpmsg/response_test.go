package httpmsg

import (
	"reflect"
	"strings"
	"testing"
)

type wantResponse struct {
	ok                 bool
	version            string
	status             int
	contentType, title *string
	headLen            int
}

func viewResponse(ok bool, r *Response) wantResponse {
	return wantResponse{ok: ok, version: string(r.Version), status: r.Status,
		contentType: str(r.ContentType), title: str(r.Title), headLen: len(r.Head)}
}

func responseCases() []struct {
	name    string
	payload string
	want    wantResponse
} {
	long := "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + strings.Repeat("x", 1950)
	return []struct {
		name    string
		payload string
		want    wantResponse
	}{
		{"sinkhole banner", "HTTP/1.1 200 OK\r\nServer: sinkhole\r\n\r\n",
			wantResponse{ok: true, version: "HTTP/1.1", status: 200}},
		{"content type", "HTTP/1.1 200 OK\r\nContent-Type:  application/x-sh \r\n\r\n#!/bin/sh",
			wantResponse{ok: true, version: "HTTP/1.1", status: 200, contentType: s("application/x-sh")}},
		{"content type name ignores case", "HTTP/1.0 200 OK\r\ncontent-TYPE: Text/X-Scriptlet\r\n",
			wantResponse{ok: true, version: "HTTP/1.0", status: 200, contentType: s("Text/X-Scriptlet")}},
		{"content type line cut", "HTTP/1.1 200 OK\r\nContent-Type: text/ht",
			wantResponse{ok: true, version: "HTTP/1.1", status: 200}},
		{"content type in body ignored", "HTTP/1.1 200 OK\r\n\r\n\r\nContent-Type: application/hta\r\n",
			wantResponse{ok: true, version: "HTTP/1.1", status: 200}},
		{"seized title", "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><head><title>This domain name has been seized by the FBI</title></head></html>",
			wantResponse{ok: true, version: "HTTP/1.1", status: 200, contentType: s("text/html"), title: s("This domain name has been seized by the FBI")}},
		{"title tags ignore case", "HTTP/1.1 200 OK\r\n\r\n<TITLE>Domain Seized</Title>",
			wantResponse{ok: true, version: "HTTP/1.1", status: 200, title: s("Domain Seized")}},
		{"title without closing tag", "HTTP/1.1 200 OK\r\n\r\n<title>Domain Seized",
			wantResponse{ok: true, version: "HTTP/1.1", status: 200}},
		{"empty title", "HTTP/1.1 200 OK\r\n\r\n<title></title>",
			wantResponse{ok: true, version: "HTTP/1.1", status: 200, title: s("")}},
		{"title closing beyond head", long + "<title>late</title>",
			wantResponse{ok: true, version: "HTTP/1.1", status: 200, contentType: s("text/html")}},
		{"status without reason", "HTTP/1.0 404\r\n", wantResponse{ok: true, version: "HTTP/1.0", status: 404}},
		{"bad status", "HTTP/1.1 20x OK\r\n", wantResponse{ok: true, version: "HTTP/1.1"}},
		{"four-digit status", "HTTP/1.1 2000 OK\r\n", wantResponse{ok: true, version: "HTTP/1.1"}},
		{"status line only, uncut", "HTTP/1.1", wantResponse{ok: true, version: "HTTP/1.1"}},
		{"request", "GET / HTTP/1.1\r\n\r\n", wantResponse{}},
		{"lowercase prefix", "http/1.1 200 OK\r\n\r\n", wantResponse{}},
		{"empty", "", wantResponse{}},
	}
}

func TestResponseParse(t *testing.T) {
	for _, tc := range responseCases() {
		t.Run(tc.name, func(t *testing.T) {
			var r Response
			want := tc.want
			if want.ok {
				want.headLen = min(len(tc.payload), HeadLen)
			}
			if got := viewResponse(r.Parse([]byte(tc.payload)), &r); !reflect.DeepEqual(got, want) {
				t.Errorf("Parse(%.60q):\ngot  %+v (ct %v, title %v)\nwant %+v (ct %v, title %v)", tc.payload,
					got, deref(got.contentType), deref(got.title), want, deref(want.contentType), deref(want.title))
			}
		})
	}
}

func deref(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestResponseReset(t *testing.T) {
	var r Response
	if !r.Parse([]byte("HTTP/1.1 200 OK\r\nContent-Type: a/b\r\n\r\n<title>t</title>")) {
		t.Fatal("got false for a response")
	}
	if r.Parse([]byte("GET / HTTP/1.1\r\n")) {
		t.Fatal("got true for a request")
	}
	if !reflect.DeepEqual(r, Response{}) {
		t.Errorf("got %+v after a failed Parse, want the zero Response", r)
	}
}

func TestResponseAllocs(t *testing.T) {
	var r Response
	for _, tc := range responseCases() {
		payload := []byte(tc.payload)
		if allocs := testing.AllocsPerRun(100, func() { r.Parse(payload) }); allocs != 0 {
			t.Errorf("%s: got %v allocs per Parse, want 0", tc.name, allocs)
		}
	}
}
