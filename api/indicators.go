package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

// maxImport bounds the entries of one POST: the store writes them one by
// one.
const maxImport = 1000

// customReference is the reference of a tenant's own trails, as
// Maltrail's custom trails; it makes them high severity.
const customReference = "(custom)"

// defaultTrailInfo is the info of a custom trail given none (Maltrail
// takes it from the file name, custom.txt by default).
const defaultTrailInfo = "custom"

// indicator is a custom trail or whitelist entry.
type indicator struct {
	Key, Type, Note, Reference string
	CreatedAt                  time.Time
}

// indicatorKind adapts indicatorsHandler to one of the two lists.
type indicatorKind struct {
	noun, plural  string // JSON field names: "trail"/"trails", "entry"/"whitelist"
	note          string // "info" or "comment"
	defaultNote   string
	auditPrefix   string
	list          func(ctx context.Context, s Store, t tenant.ID) ([]indicator, error)
	put           func(ctx context.Context, s Store, t tenant.ID, v indicator) error
	del           func(ctx context.Context, s Store, t tenant.ID, key string) error
	render        func(v indicator) gin.H
	unmarshalItem func(raw json.RawMessage) (value, note string, err error)
}

var trailKind = indicatorKind{
	noun: "trail", plural: "trails", note: "info", defaultNote: defaultTrailInfo, auditPrefix: "trail",
	list: func(ctx context.Context, s Store, t tenant.ID) ([]indicator, error) {
		list, err := s.CustomTrails(ctx, t)
		out := make([]indicator, len(list))
		for i, v := range list {
			out[i] = indicator{Key: v.Trail, Type: v.Type, Note: v.Info, Reference: v.Reference, CreatedAt: v.CreatedAt}
		}
		return out, err
	},
	put: func(ctx context.Context, s Store, t tenant.ID, v indicator) error {
		return s.PutCustomTrail(ctx, t, store.CustomTrail{Trail: v.Key, Type: v.Type, Info: v.Note, Reference: customReference})
	},
	del: func(ctx context.Context, s Store, t tenant.ID, key string) error {
		return s.DeleteCustomTrail(ctx, t, key)
	},
	render: func(v indicator) gin.H {
		return gin.H{"trail": v.Key, "type": v.Type, "info": v.Note, "reference": v.Reference, "created_at": v.CreatedAt}
	},
	unmarshalItem: func(raw json.RawMessage) (string, string, error) {
		var o struct{ Trail, Info string }
		err := json.Unmarshal(raw, &o)
		return o.Trail, o.Info, err
	},
}

var whitelistKind = indicatorKind{
	noun: "entry", plural: "whitelist", note: "comment", auditPrefix: "whitelist",
	list: func(ctx context.Context, s Store, t tenant.ID) ([]indicator, error) {
		list, err := s.Whitelist(ctx, t)
		out := make([]indicator, len(list))
		for i, v := range list {
			out[i] = indicator{Key: v.Entry, Note: v.Comment, CreatedAt: v.CreatedAt}
		}
		return out, err
	},
	put: func(ctx context.Context, s Store, t tenant.ID, v indicator) error {
		return s.PutWhitelistEntry(ctx, t, store.WhitelistEntry{Entry: v.Key, Comment: v.Note})
	},
	del: func(ctx context.Context, s Store, t tenant.ID, key string) error {
		return s.DeleteWhitelistEntry(ctx, t, key)
	},
	render: func(v indicator) gin.H {
		return gin.H{"entry": v.Key, "comment": v.Note, "created_at": v.CreatedAt}
	},
	unmarshalItem: func(raw json.RawMessage) (string, string, error) {
		var o struct{ Entry, Comment string }
		err := json.Unmarshal(raw, &o)
		return o.Entry, o.Comment, err
	},
}

// indicatorsHandler serves /tenants/{tenant}/trails and /whitelist.
type indicatorsHandler struct {
	kind    indicatorKind
	store   Store
	audit   auditor
	changed func(tenant.ID) // after any write, even a partly failed one
}

func (h indicatorsHandler) list(c *gin.Context) {
	list, err := h.kind.list(c.Request.Context(), h.store, tenantOf(c))
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]gin.H, len(list))
	for i, v := range list {
		out[i] = h.kind.render(v)
	}
	c.JSON(http.StatusOK, gin.H{h.kind.plural: out})
}

// add answers POST: one entry as a JSON object, several as a JSON array
// (of objects or strings), or text/plain with one "value[,note]" per line
// ('#' starts a comment). Every entry is checked before any is stored.
func (h indicatorsHandler) add(c *gin.Context) {
	items, err := h.parseBody(c)
	if err != nil {
		fail(c, err)
		return
	}
	if len(items) == 0 {
		fail(c, publicf(http.StatusBadRequest, "no %s given", h.kind.plural))
		return
	}
	t, p := tenantOf(c), principalOf(c)
	ctx := c.Request.Context()
	defer h.changed(t)
	out := make([]gin.H, 0, len(items))
	for _, v := range items {
		if err := h.kind.put(ctx, h.store, t, v); err != nil {
			fail(c, fmt.Errorf("cannot store %s %q: %w", h.kind.noun, v.Key, err))
			return
		}
		h.audit.record(ctx, t, actor(p), h.kind.auditPrefix+".add", v.Key, v.Note)
		if h.kind.noun == "trail" {
			v.Reference = customReference
		}
		out = append(out, h.kind.render(v))
	}
	c.JSON(http.StatusCreated, gin.H{"added": len(out), h.kind.plural: out})
}

// parseBody reads and checks the entries of a POST.
func (h indicatorsHandler) parseBody(c *gin.Context) ([]indicator, error) {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, publicf(http.StatusRequestEntityTooLarge, "request body larger than %d bytes", tooBig.Limit)
		}
		return nil, fmt.Errorf("cannot read request body: %w", err)
	}
	type raw struct{ value, note string }
	var raws []raw
	ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	switch ct {
	case "text/plain":
		sc := bufio.NewScanner(bytes.NewReader(body))
		sc.Buffer(make([]byte, 0, 4096), maxBodyBytes)
		for sc.Scan() {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 || line[0] == '#' {
				continue
			}
			value, note, _ := bytes.Cut(line, []byte(","))
			raws = append(raws, raw{string(value), string(bytes.TrimSpace(note))})
		}
	case "application/json", "":
		var list []json.RawMessage
		trimmed := bytes.TrimSpace(body)
		if len(trimmed) > 0 && trimmed[0] == '[' {
			if err := json.Unmarshal(trimmed, &list); err != nil {
				return nil, publicf(http.StatusBadRequest, "malformed JSON body")
			}
		} else {
			list = []json.RawMessage{trimmed}
		}
		for i, item := range list {
			var r raw
			if err := json.Unmarshal(item, &r.value); err != nil {
				if r.value, r.note, err = h.kind.unmarshalItem(item); err != nil {
					return nil, publicf(http.StatusBadRequest, "item %d: want a string or an object with %q and %q", i+1, h.kind.noun, h.kind.note)
				}
			}
			raws = append(raws, r)
		}
	default:
		return nil, publicf(http.StatusUnsupportedMediaType, "send application/json or text/plain")
	}
	if len(raws) > maxImport {
		return nil, publicf(http.StatusRequestEntityTooLarge, "at most %d %s per request", maxImport, h.kind.plural)
	}
	out := make([]indicator, 0, len(raws))
	seen := make(map[string]bool, len(raws))
	for i, r := range raws {
		key, kind, err := normalizeIndicator(r.value)
		if err != nil {
			return nil, publicf(http.StatusBadRequest, "%s %d (%.40q): %v", h.kind.noun, i+1, r.value, err)
		}
		if !validNote(r.note) {
			return nil, publicf(http.StatusBadRequest, "%s %d: %s must be at most %d printable characters without commas", h.kind.noun, i+1, h.kind.note, maxNameLen)
		}
		if r.note == "" {
			r.note = h.kind.defaultNote
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, indicator{Key: key, Type: kind, Note: r.note})
		}
	}
	return out, nil
}

// remove answers DELETE ?{noun}=value (repeatable): every named entry must
// exist; then all are removed.
func (h indicatorsHandler) remove(c *gin.Context) {
	values := c.QueryArray(h.kind.noun)
	if len(values) == 0 || len(values) > maxImport {
		fail(c, publicf(http.StatusBadRequest, "name 1 to %d %s with ?%s=", maxImport, h.kind.plural, h.kind.noun))
		return
	}
	t, p := tenantOf(c), principalOf(c)
	ctx := c.Request.Context()
	list, err := h.kind.list(ctx, h.store, t)
	if err != nil {
		fail(c, err)
		return
	}
	have := make(map[string]bool, len(list))
	for _, v := range list {
		have[v.Key] = true
	}
	keys := make([]string, 0, len(values))
	for _, v := range values {
		key, _, err := normalizeIndicator(v)
		if _, known := have[key]; err != nil || !known {
			fail(c, publicf(http.StatusNotFound, "%s %.40q not found", h.kind.noun, v))
			return
		}
		if have[key] {
			have[key] = false // named twice: remove once
			keys = append(keys, key)
		}
	}
	defer h.changed(t)
	for _, key := range keys {
		if err := h.kind.del(ctx, h.store, t, key); err != nil {
			fail(c, fmt.Errorf("cannot remove %s %q: %w", h.kind.noun, key, err))
			return
		}
		h.audit.record(ctx, t, actor(p), h.kind.auditPrefix+".remove", key, "")
	}
	c.JSON(http.StatusOK, gin.H{"removed": len(keys)})
}
