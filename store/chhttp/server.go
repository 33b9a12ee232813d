// Package chhttp serves enough of ClickHouse's HTTP interface, from the
// embedded engine (package store/chdb), for clickhouse-go/v2 in HTTP mode.
// It exists so the store's server engine (clickhouse-go) runs against a
// real ClickHouse in tests, where no supported ClickHouse server can be
// installed. It is for tests only: it has no authentication.
//
// What it does:
//
//   - clickhouse-go's connect query, SELECT displayName(), version(),
//     revision(), timezone(), is answered by the front itself with one
//     Native block laid out at the client's protocol revision (BlockInfo,
//     a custom-serialization byte per column), reporting revision 0: from
//     then on the client decodes blocks as revision-0 Native, which is what
//     the engine writes.
//   - Other statements run with default_format as the output format (the
//     client asks for Native); param_* become query parameters.
//   - INSERT … FORMAT Native with the block in the body runs as
//     INSERT … FROM INFILE of the body staged in a file (chdb.Engine.Insert),
//     with the request's settings as a SETTINGS clause.
//   - Request bodies in gzip, deflate, br or zstd Content-Encoding and
//     gzip/deflate/br responses (Accept-Encoding) are handled, and so is
//     ClickHouse's block compression (compress=1, decompress=1: LZ4, ZSTD).
//
// The database parameter and the settings of other statements are
// applied with USE and SET on a connection opened for the request.
//
// What it does not: sessions (session_id), external tables, progress
// headers, query cancellation, authentication.
package chhttp

import (
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/ClickHouse/ch-go/compress"
	chproto "github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"
	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"

	"github.com/spoorsec/spoor/store/chdb"
)

// helloQuery is what clickhouse-go sends when it connects over HTTP.
const helloQuery = "SELECT displayName(), version(), revision(), timezone()"

// maxBody bounds a request body (an INSERT block).
const maxBody = 1 << 30

// notSettings are URL parameters of the HTTP interface that are not
// ClickHouse settings.
var notSettings = map[string]bool{
	"query": true, "database": true, "default_format": true, "client_protocol_version": true,
	"query_id": true, "quota_key": true, "user": true, "password": true,
	"session_id": true, "session_timeout": true, "session_check": true,
	// ClickHouse's own block compression of bodies, handled here.
	"compress": true, "decompress": true, "network_compression_method": true, "network_zstd_compression_level": true,
}

var (
	insertFormatRe = regexp.MustCompile(`(?is)^\s*INSERT\s+INTO\s+.*\sFORMAT\s+([A-Za-z0-9_]+)\s*$`)
	settingNameRe  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// Server is an http.Handler answering ClickHouse HTTP requests.
type Server struct {
	eng *chdb.Engine
	// hello holds displayName, version and timezone of the engine.
	hello [3]string
}

// New returns a front for eng.
func New(ctx context.Context, eng *chdb.Engine) (*Server, error) {
	res, err := eng.Query(ctx, []byte("SELECT displayName(), version(), timezone()"), "TabSeparated")
	if err != nil {
		return nil, fmt.Errorf("chhttp: cannot read engine identity: %w", err)
	}
	defer res.Free()
	f := strings.Split(strings.TrimRight(string(res.Data()), "\n"), "\t")
	if len(f) != 3 {
		return nil, fmt.Errorf("chhttp: unexpected engine identity %q", res.Data())
	}
	return &Server{eng: eng, hello: [3]string{f[0], f[1], f[2]}}, nil
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && (r.URL.Path == "/ping" || r.URL.Path == "/") && r.URL.Query().Get("query") == "" {
		io.WriteString(w, "Ok.\n")
		return
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		writeError(w, http.StatusBadRequest, 0, "chhttp: external tables are not supported")
		return
	}
	values := r.URL.Query()
	out := response{w: w, r: r}
	if values.Get("compress") == "1" {
		out.block = compress.LZ4
		if strings.EqualFold(values.Get("network_compression_method"), "ZSTD") {
			out.block = compress.ZSTD
		}
	}
	body, err := readBody(r, values.Get("decompress") == "1")
	if err != nil {
		writeError(w, http.StatusBadRequest, 0, err.Error())
		return
	}
	sql, data := string(body), []byte(nil)
	if q := values.Get("query"); q != "" {
		sql, data = q, body
	}
	var params []chdb.Param
	var settings []chdb.Setting
	for k, vs := range values {
		v := vs[len(vs)-1]
		switch {
		case strings.HasPrefix(k, "param_"):
			params = append(params, chdb.Param{Name: strings.TrimPrefix(k, "param_"), Value: v})
		case notSettings[k]:
		default:
			if !settingNameRe.MatchString(k) {
				writeError(w, http.StatusBadRequest, 115, "unknown setting "+k)
				return
			}
			settings = append(settings, chdb.Setting{Name: k, Value: v})
		}
	}

	if strings.TrimSpace(sql) == helloQuery {
		s.writeHello(out, values.Get("client_protocol_version"))
		return
	}

	insert := insertFormatRe.FindStringSubmatch(sql)
	if insert == nil && len(data) > 0 {
		writeError(w, http.StatusBadRequest, 0, "chhttp: a request body with a query parameter is supported for INSERT … FORMAT only")
		return
	}

	// The database and the settings of statements other than INSERT are
	// connection state: they are applied with USE and SET on a connection
	// of the request's own, closed afterwards.
	eng := s.eng
	db := values.Get("database")
	var setup []string
	if db != "" && db != "default" {
		setup = append(setup, "USE "+quoteIdent(db))
	}
	if len(settings) > 0 && insert == nil {
		set := make([]string, len(settings))
		for i, st := range settings {
			set[i] = st.Name + " = " + quote(st.Value)
		}
		setup = append(setup, "SET "+strings.Join(set, ", "))
	}
	if len(setup) > 0 {
		sess, err := s.eng.Session()
		if err != nil {
			writeError(w, http.StatusInternalServerError, 0, err.Error())
			return
		}
		defer sess.Close()
		for _, q := range setup {
			res, err := sess.Query(r.Context(), []byte(q), "")
			if err != nil {
				writeEngineError(w, err)
				return
			}
			res.Free()
		}
		eng = sess
	}

	if insert != nil && len(data) > 0 {
		// INSERT … FORMAT X with the data in the body becomes
		// INSERT … FROM INFILE with the request's settings.
		into := strings.TrimSpace(sql[:strings.LastIndex(strings.ToUpper(sql), "FORMAT")])
		if err := eng.Insert(r.Context(), into, settings, insert[1], data); err != nil {
			writeEngineError(w, err)
			return
		}
		out.write(nil)
		return
	}
	res, err := eng.Query(r.Context(), []byte(sql), values.Get("default_format"), params...)
	if err != nil {
		writeEngineError(w, err)
		return
	}
	defer res.Free()
	out.write(res.Data())
}

// quoteIdent renders name as a backquoted identifier.
func quoteIdent(name string) string {
	return "`" + strings.NewReplacer("\\", "\\\\", "`", "\\`").Replace(name) + "`"
}

// writeEngineError answers an engine exception with its code.
func writeEngineError(w http.ResponseWriter, err error) {
	code := 0
	var ce *chdb.Error
	if errors.As(err, &ce) {
		code = ce.Code
	}
	writeError(w, http.StatusInternalServerError, code, strings.TrimPrefix(err.Error(), "chdb: "))
}

// writeHello answers clickhouse-go's connect query in the Native layout of
// the client's protocol revision, reporting revision 0.
func (s *Server) writeHello(out response, rev string) {
	w := out.w
	revision, _ := strconv.ParseUint(rev, 10, 64)
	block := proto.NewBlock()
	for _, c := range []struct{ name, typ string }{
		{"displayName()", "String"}, {"version()", "String"}, {"revision()", "UInt32"}, {"timezone()", "String"},
	} {
		if err := block.AddColumn(c.name, column.Type(c.typ)); err != nil {
			writeError(w, http.StatusInternalServerError, 0, err.Error())
			return
		}
	}
	if err := block.Append(s.hello[0], s.hello[1], uint32(0), s.hello[2]); err != nil {
		writeError(w, http.StatusInternalServerError, 0, err.Error())
		return
	}
	var buf chproto.Buffer
	if err := block.Encode(&buf, revision); err != nil {
		writeError(w, http.StatusInternalServerError, 0, err.Error())
		return
	}
	out.write(buf.Buf)
}

// quote renders a setting value as a string literal.
func quote(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

func readBody(r *http.Request, blocks bool) ([]byte, error) {
	var rd io.Reader = io.LimitReader(r.Body, maxBody)
	switch enc := r.Header.Get("Content-Encoding"); enc {
	case "":
	case "gzip":
		zr, err := gzip.NewReader(rd)
		if err != nil {
			return nil, fmt.Errorf("chhttp: gzip body: %w", err)
		}
		rd = zr
	case "deflate":
		zr, err := zlib.NewReader(rd)
		if err != nil {
			return nil, fmt.Errorf("chhttp: deflate body: %w", err)
		}
		rd = zr
	case "br":
		rd = brotli.NewReader(rd)
	case "zstd":
		zr, err := zstd.NewReader(rd)
		if err != nil {
			return nil, fmt.Errorf("chhttp: zstd body: %w", err)
		}
		defer zr.Close()
		rd = zr
	default:
		return nil, fmt.Errorf("chhttp: unsupported Content-Encoding %q", enc)
	}
	if blocks {
		// The block reader reports the end of its input wrapped, not as a
		// bare io.EOF.
		data, err := io.ReadAll(io.LimitReader(compress.NewReader(rd), maxBody))
		if errors.Is(err, io.EOF) {
			err = nil
		}
		return data, err
	}
	return io.ReadAll(io.LimitReader(rd, maxBody))
}

// response writes a 200 answer as the request asked: in ClickHouse's
// compressed blocks (compress=1), with an HTTP Content-Encoding, or plain.
type response struct {
	w     http.ResponseWriter
	r     *http.Request
	block compress.Method // None: no block compression
}

// blockSize is the uncompressed size of each compressed block.
const blockSize = 1 << 20

func (out response) write(data []byte) {
	if out.block != compress.None && len(data) > 0 {
		cw := compress.NewWriter(compress.LevelZero, out.block)
		var framed []byte
		for len(data) > 0 {
			n := min(len(data), blockSize)
			if err := cw.Compress(data[:n]); err != nil {
				writeError(out.w, http.StatusInternalServerError, 0, "chhttp: "+err.Error())
				return
			}
			framed = append(framed, cw.Data...)
			data = data[n:]
		}
		data = framed
	}
	writeBody(out.w, out.r, data)
}

// writeBody writes a 200 answer, compressed as the client accepts.
func writeBody(w http.ResponseWriter, r *http.Request, data []byte) {
	w.Header().Set("Content-Type", "application/octet-stream")
	var enc string
	for _, e := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		switch e = strings.TrimSpace(e); e {
		case "gzip", "deflate", "br":
			enc = e
		}
		if enc != "" {
			break
		}
	}
	if enc == "" || len(data) == 0 {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data)
		return
	}
	w.Header().Set("Content-Encoding", enc)
	var zw io.WriteCloser
	switch enc {
	case "gzip":
		zw = gzip.NewWriter(w)
	case "deflate":
		zw, _ = zlib.NewWriterLevel(w, flate.DefaultCompression)
	case "br":
		zw = brotli.NewWriter(w)
	}
	zw.Write(data)
	zw.Close()
}

// writeError answers as ClickHouse does: a status, the exception code
// header and the message as text.
func writeError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	if code != 0 {
		w.Header().Set("X-ClickHouse-Exception-Code", strconv.Itoa(code))
	}
	w.WriteHeader(status)
	io.WriteString(w, msg+"\n")
}
