package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

// Triage statuses.
var triageStatuses = map[string]bool{"open": true, "investigating": true, "resolved": true, "false-positive": true}

// Triage limits.
const (
	maxTags       = 32
	maxTagLen     = 64
	maxNotesBytes = 16 << 10
	maxTriageList = 10_000
)

// Threat UIDs are the web client's (Maltrail's): MurmurHash3 of the
// threat's key as 8 lowercase hex digits, or 6 hex digits and a kind
// suffix for DNS exhaustion (N0), floods (F0) and DGA (D0).
//
// The store keys triage by a uint64 event ID; a threat UID maps onto it
// reversibly as threatMark | kind<<32 | hash. threatMark keeps the zero
// hash away from 0, which the store refuses.
const threatMark = uint64(1) << 40

var threatKinds = [...]string{"", "N0", "F0", "D0"}

// parseThreat maps a threat UID to its triage key.
func parseThreat(s string) (uint64, bool) {
	if len(s) != 8 {
		return 0, false
	}
	digits, kind := s, 0
	for i, k := range threatKinds[1:] {
		if s[6:] == k {
			digits, kind = s[:6], i+1
		}
	}
	for i := 0; i < len(digits); i++ {
		if c := digits[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(digits, 16, 32)
	if err != nil {
		return 0, false
	}
	return threatMark | uint64(kind)<<32 | v, true
}

// threatUID is parseThreat's inverse.
func threatUID(key uint64) string {
	kind := int(key>>32) & 0xff
	if key&^(0xff<<32|0xffffffff) != threatMark || kind >= len(threatKinds) {
		return ""
	}
	if kind == 0 {
		return fmt.Sprintf("%08x", uint32(key))
	}
	return fmt.Sprintf("%06x", uint32(key)&0xffffff) + threatKinds[kind]
}

type triageJSON struct {
	Threat    string    `json:"threat"`
	Status    string    `json:"status"`
	Tags      []string  `json:"tags"`
	Notes     string    `json:"notes"`
	UpdatedBy string    `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
	CreatedAt time.Time `json:"created_at"`
}

func toTriageJSON(v store.Triage) (triageJSON, bool) {
	uid := threatUID(v.EventID)
	if uid == "" {
		return triageJSON{}, false
	}
	tags := v.Tags
	if tags == nil {
		tags = []string{}
	}
	return triageJSON{Threat: uid, Status: v.Status, Tags: tags, Notes: v.Note,
		UpdatedBy: v.UpdatedBy, UpdatedAt: v.UpdatedAt, CreatedAt: v.CreatedAt}, true
}

type triageRequest struct {
	Status string   `json:"status"`
	Tags   []string `json:"tags"`
	Notes  string   `json:"notes"`
}

// validTag accepts 1 to maxTagLen printable characters without commas.
func validTag(s string) bool {
	if s == "" || len(s) > maxTagLen {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == ',' || r == 0xfffd {
			return false
		}
	}
	return true
}

// triageHandler serves /tenants/{tenant}/triage: the tenant's verdicts on
// threats, shared by its analysts.
type triageHandler struct {
	store Store
	audit auditor
}

// threatParam reads the {threat} of the URL, answering 400 itself.
func threatParam(c *gin.Context) (uint64, bool) {
	key, ok := parseThreat(c.Param("threat"))
	if !ok {
		fail(c, publicf(http.StatusBadRequest, "threat must be 8 lowercase hex digits, or 6 and N0, F0 or D0"))
	}
	return key, ok
}

func (h triageHandler) list(c *gin.Context) {
	list, err := h.store.TriageList(c.Request.Context(), tenantOf(c), maxTriageList)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]triageJSON, 0, len(list))
	for _, v := range list {
		if j, ok := toTriageJSON(v); ok {
			out = append(out, j)
		}
	}
	c.JSON(http.StatusOK, gin.H{"triage": out})
}

// find returns the triage of threat key, or a 404 error.
func (h triageHandler) find(c *gin.Context, t tenant.ID, key uint64) (store.Triage, error) {
	list, err := h.store.TriageFor(c.Request.Context(), t, []uint64{key})
	if err != nil {
		return store.Triage{}, err
	}
	if len(list) == 0 {
		return store.Triage{}, errNotFound("triage")
	}
	return list[0], nil
}

func (h triageHandler) get(c *gin.Context) {
	key, ok := threatParam(c)
	if !ok {
		return
	}
	v, err := h.find(c, tenantOf(c), key)
	if err != nil {
		fail(c, err)
		return
	}
	j, _ := toTriageJSON(v)
	c.JSON(http.StatusOK, j)
}

// put answers PUT .../triage/{threat}: sets status, tags and notes.
func (h triageHandler) put(c *gin.Context) {
	key, ok := threatParam(c)
	if !ok {
		return
	}
	var req triageRequest
	if !bindJSON(c, &req) {
		return
	}
	if !triageStatuses[req.Status] {
		fail(c, publicf(http.StatusBadRequest, "status must be one of open, investigating, resolved, false-positive"))
		return
	}
	if len(req.Tags) > maxTags {
		fail(c, publicf(http.StatusBadRequest, "at most %d tags", maxTags))
		return
	}
	seen := make(map[string]bool, len(req.Tags))
	tags := make([]string, 0, len(req.Tags))
	for _, tag := range req.Tags {
		if !validTag(tag) {
			fail(c, publicf(http.StatusBadRequest, "a tag must be 1 to %d printable characters without commas", maxTagLen))
			return
		}
		if !seen[tag] {
			seen[tag] = true
			tags = append(tags, tag)
		}
	}
	if len(req.Notes) > maxNotesBytes {
		fail(c, publicf(http.StatusBadRequest, "notes longer than %d bytes", maxNotesBytes))
		return
	}
	t, p := tenantOf(c), principalOf(c)
	ctx := c.Request.Context()
	prev, err := h.find(c, t, key)
	created := err != nil
	if created && !isNotFound(err) {
		fail(c, err)
		return
	}
	v := store.Triage{EventID: key, Status: req.Status, Note: req.Notes, Tags: tags, UpdatedBy: actor(p), CreatedAt: prev.CreatedAt}
	if err := h.store.PutTriage(ctx, t, v); err != nil {
		fail(c, err)
		return
	}
	if v, err = h.find(c, t, key); err != nil {
		fail(c, err)
		return
	}
	h.audit.record(ctx, t, actor(p), "triage.put", c.Param("threat"), req.Status)
	j, _ := toTriageJSON(v)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, j)
}

func (h triageHandler) delete(c *gin.Context) {
	key, ok := threatParam(c)
	if !ok {
		return
	}
	t, p := tenantOf(c), principalOf(c)
	if _, err := h.find(c, t, key); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if err := h.store.DeleteTriage(ctx, t, key); err != nil {
		fail(c, err)
		return
	}
	h.audit.record(ctx, t, actor(p), "triage.delete", c.Param("threat"), "")
	c.Status(http.StatusNoContent)
}
