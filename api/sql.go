package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/store"
)

// sqlHandler serves POST /tenants/{tenant}/sql.
type sqlHandler struct {
	store    store.EventReader
	limits   store.Limits
	maxBytes int
	metrics  *apiMetrics
}

type sqlRequest struct {
	Query string `json:"query"`
}

type sqlColumnJSON struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type sqlResponse struct {
	Columns   []sqlColumnJSON   `json:"columns"`
	Rows      []json.RawMessage `json:"rows"`
	Truncated bool              `json:"truncated"`
}

func (h sqlHandler) query(c *gin.Context) {
	defer h.metrics.sqlResult(c)
	// JSON escaping can double the query's size; leave room for it.
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, int64(2*h.maxBytes+1024))
	var req sqlRequest
	if !bindJSON(c, &req) {
		return
	}
	if len(req.Query) > h.maxBytes {
		fail(c, publicf(http.StatusRequestEntityTooLarge, "query longer than %d bytes", h.maxBytes))
		return
	}
	if strings.TrimSpace(req.Query) == "" {
		fail(c, publicf(http.StatusBadRequest, "query is empty"))
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), h.limits.MaxExecutionTime+10*time.Second)
	defer cancel()
	ast, err := h.store.ExplainAST(ctx, req.Query)
	if err != nil {
		fail(c, queryErr(err))
		return
	}
	if err := checkTenantAST(ast); err != nil {
		fail(c, err)
		return
	}
	res, err := h.store.QuerySQL(ctx, tenantOf(c), req.Query, h.limits)
	if err != nil {
		fail(c, queryErr(err))
		return
	}
	out := sqlResponse{Columns: make([]sqlColumnJSON, len(res.Columns)), Rows: res.Rows, Truncated: res.Truncated}
	for i, col := range res.Columns {
		out.Columns[i] = sqlColumnJSON{Name: col.Name, Type: col.Type}
	}
	if out.Rows == nil {
		out.Rows = []json.RawMessage{}
	}
	if wantsCSV(c) {
		body, err := toCSV(out)
		if err != nil {
			fail(c, err)
			return
		}
		if out.Truncated {
			c.Header("X-Spoor-Truncated", "true")
		}
		c.Data(http.StatusOK, "text/csv; charset=utf-8", body)
		return
	}
	c.JSON(http.StatusOK, out)
}

func wantsCSV(c *gin.Context) bool {
	return c.Query("format") == "csv" || strings.Contains(c.GetHeader("Accept"), "text/csv")
}

// toCSV renders the result with a header row; strings as they are, null as
// an empty field, arrays and maps as JSON.
func toCSV(r sqlResponse) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	rec := make([]string, len(r.Columns))
	for i, col := range r.Columns {
		rec[i] = col.Name
	}
	w.Write(rec)
	for _, raw := range r.Rows {
		var vals []json.RawMessage
		if err := json.Unmarshal(raw, &vals); err != nil {
			return nil, fmt.Errorf("cannot decode result row: %w", err)
		}
		rec = rec[:0]
		for _, v := range vals {
			var s string
			switch {
			case bytes.Equal(v, []byte("null")):
			case len(v) > 0 && v[0] == '"':
				if err := json.Unmarshal(v, &s); err != nil {
					return nil, fmt.Errorf("cannot decode result value: %w", err)
				}
			default:
				s = string(v)
			}
			rec = append(rec, s)
		}
		w.Write(rec)
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// queryErr turns an error of the caller's query into a 400 with
// ClickHouse's own explanation (without the wrapper query it quotes); an
// engine failure not caused by the query stays a 500.
func queryErr(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return publicf(http.StatusBadRequest, "query exceeded its time limit")
	}
	msg := err.Error()
	i := strings.Index(msg, "DB::Exception: ")
	if i < 0 {
		if errors.Is(err, store.ErrQueryRefused) {
			return publicf(http.StatusBadRequest, "query refused: %s", clip(strings.TrimPrefix(msg, "store: query refused: "), 300))
		}
		return err
	}
	msg = msg[i+len("DB::Exception: "):]
	for _, cut := range []string{": In scope", ". In scope", ": While processing", " In scope "} {
		if j := strings.Index(msg, cut); j >= 0 {
			msg = msg[:j]
		}
	}
	return publicf(http.StatusBadRequest, "query refused: %s", clip(strings.TrimSpace(msg), 300))
}
