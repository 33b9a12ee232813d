package store

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/ClickHouse/ch-go/compress"
	"github.com/ClickHouse/clickhouse-go/v2"
)

// TestNativeHTTPAnswers checks the server path's Native reads against
// answers a server can give: whole, an error status, a body cut short
// (after a whole block, too: an event must never go missing unnoticed).
func TestNativeHTTPAnswers(t *testing.T) {
	block := nativeSeed(nStreamColumns)
	w := compress.NewWriter(compress.LevelZero, compress.LZ4)
	if err := w.Compress(block); err != nil {
		t.Fatal(err)
	}
	framed := append([]byte(nil), w.Data...)
	var got struct{ query, database, user, param string }
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		body := make([]byte, r.ContentLength)
		r.Body.Read(body)
		got.query, got.database, got.user, got.param = string(body), q.Get("database"), r.Header.Get("X-ClickHouse-User"), q.Get("param_tenant")
		switch q.Get("param_case") {
		case "error":
			http.Error(rw, "Code: 60. DB::Exception: Table x does not exist", http.StatusNotFound)
		case "cut":
			// Two blocks promised, one sent.
			rw.Header().Set("Content-Length", strconv.Itoa(2*len(framed)))
			rw.Write(framed)
		default:
			rw.Write(framed)
			rw.Write(framed)
		}
	}))
	defer srv.Close()
	opts, err := clickhouse.ParseDSN(strings.Replace(srv.URL, "http://", "http://alice:secret@", 1) + "/?database=spoor")
	if err != nil {
		t.Fatal(err)
	}
	h := newNativeHTTP(opts)
	if h == nil {
		t.Fatal("no Native reader for an HTTP DSN")
	}
	read := func(c string) ([]byte, error) {
		return h.read(context.Background(), "SELECT 1", []param{strParam("tenant", "acme"), strParam("case", c)})
	}

	data, err := read("whole")
	if err != nil || string(data) != string(block)+string(block) {
		t.Fatalf("whole answer: %d bytes, %v; want two blocks", len(data), err)
	}
	if got.query != "SELECT 1" || got.database != "spoor" || got.user != "alice" || got.param != "'acme'" && got.param != "acme" {
		t.Errorf("request: %+v", got)
	}
	var cols EventColumns
	if err := newEventDecoder("acme").decodeColumns(data, &cols); err != nil || cols.Len() != 12 {
		t.Errorf("decoding the answer: %d events, %v; want 12", cols.Len(), err)
	}
	if _, err := read("error"); err == nil || !strings.Contains(err.Error(), "HTTP 404") || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("error answer: %v, want the status and the server's text", err)
	}
	if _, err := read("cut"); err == nil {
		t.Error("a body cut after its first block: got no error, want one")
	}

	native, _ := clickhouse.ParseDSN("clickhouse://localhost:9000")
	if newNativeHTTP(native) != nil {
		t.Error("a native-protocol DSN got an HTTP reader")
	}
}
