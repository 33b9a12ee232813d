package api

import (
	"net/http"
	"slices"
	"testing"

	"github.com/spoorsec/spoor/tenant"
)

func TestThreatUIDRoundTrip(t *testing.T) {
	cases := []struct {
		uid string
		ok  bool
	}{
		{"00000000", true},
		{"ffffffff", true},
		{"0a1b2c3d", true},
		{"abcdefN0", true},
		{"000000F0", true},
		{"123456D0", true},
		{"ABCDEF01", false}, // the client writes lower case
		{"abcdefX0", false},
		{"abcdef0", false},
		{"abcdef012", false},
		{"abcdefn0", false},
		{"", false},
		{"../../x", false},
	}
	for _, tc := range cases {
		t.Run(tc.uid, func(t *testing.T) {
			key, ok := parseThreat(tc.uid)
			if ok != tc.ok {
				t.Fatalf("parseThreat(%q): got ok %v, want %v", tc.uid, ok, tc.ok)
			}
			if !ok {
				return
			}
			if key == 0 {
				t.Errorf("parseThreat(%q): got key 0, which the store refuses", tc.uid)
			}
			if got := threatUID(key); got != tc.uid {
				t.Errorf("threatUID(parseThreat(%q)): got %q", tc.uid, got)
			}
		})
	}
	if got := threatUID(12345); got != "" {
		t.Errorf("threatUID of an event ID: got %q, want \"\"", got)
	}
}

func TestTriage(t *testing.T) {
	ten := newTenant(t, "triage")
	analyst, aTok := newUser(t, ten, RoleAnalyst)
	_, vTok := newUser(t, ten, RoleViewer)
	base := "/api/v1/tenants/" + string(ten) + "/triage"

	if r := call(t, "GET", base+"/0a1b2c3d", vTok, nil); r.Code != http.StatusNotFound {
		t.Fatalf("get before put: got %d %s, want 404", r.Code, r.Body)
	}
	body := map[string]any{"status": "investigating", "tags": []string{"c2", "vip", "c2"}, "notes": "beaconing every 60 s"}
	r := call(t, "PUT", base+"/0a1b2c3d", aTok, body)
	if r.Code != http.StatusCreated {
		t.Fatalf("first put: got %d %s, want 201", r.Code, r.Body)
	}
	var got triageJSON
	r.json(t, &got)
	if got.Threat != "0a1b2c3d" || got.Status != "investigating" || !slices.Equal(got.Tags, []string{"c2", "vip"}) ||
		got.Notes != "beaconing every 60 s" || got.UpdatedBy != string(ten)+"/"+analyst || got.UpdatedAt.IsZero() {
		t.Errorf("got %+v, want the put values, tags deduplicated, updated by %s", got, analyst)
	}
	created := got.CreatedAt

	r = call(t, "PUT", base+"/0a1b2c3d", aTok, map[string]any{"status": "resolved"})
	if r.Code != http.StatusOK {
		t.Fatalf("second put: got %d %s, want 200", r.Code, r.Body)
	}
	r.json(t, &got)
	if got.Status != "resolved" || len(got.Tags) != 0 || got.Notes != "" || !got.CreatedAt.Equal(created) {
		t.Errorf("got %+v, want resolved, no tags or notes, created at %v kept", got, created)
	}

	if r := call(t, "PUT", base+"/123456D0", aTok, map[string]any{"status": "false-positive"}); r.Code != http.StatusCreated {
		t.Fatalf("put D0: got %d %s, want 201", r.Code, r.Body)
	}
	r = call(t, "GET", base, vTok, nil)
	var list struct{ Triage []triageJSON }
	r.json(t, &list)
	var uids []string
	for _, v := range list.Triage {
		uids = append(uids, v.Threat)
	}
	slices.Sort(uids)
	if !slices.Equal(uids, []string{"0a1b2c3d", "123456D0"}) {
		t.Errorf("list: got %v, want [0a1b2c3d 123456D0]", uids)
	}

	// Another tenant sees none of it.
	other := newTenant(t, "triage-other")
	r = call(t, "GET", "/api/v1/tenants/"+string(other)+"/triage", adminToken(t), nil)
	r.json(t, &list)
	if len(list.Triage) != 0 {
		t.Errorf("other tenant: got %d triage entries, want 0", len(list.Triage))
	}

	bad := []struct {
		name, path string
		body       any
		want       int
	}{
		{"bad status", "/0a1b2c3d", map[string]any{"status": "closed"}, 400},
		{"bad threat", "/XYZ", map[string]any{"status": "open"}, 400},
		{"comma tag", "/0a1b2c3d", map[string]any{"status": "open", "tags": []string{"a,b"}}, 400},
		{"empty tag", "/0a1b2c3d", map[string]any{"status": "open", "tags": []string{""}}, 400},
		{"too many tags", "/0a1b2c3d", map[string]any{"status": "open", "tags": make([]string, maxTags+1)}, 400},
		{"long notes", "/0a1b2c3d", map[string]any{"status": "open", "notes": string(make([]byte, maxNotesBytes+1))}, 400},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, "PUT", base+tc.path, aTok, tc.body)
			if r.Code != tc.want {
				t.Fatalf("got %d %s, want %d", r.Code, r.Body, tc.want)
			}
			r.errMsg(t)
		})
	}

	if r := call(t, "DELETE", base+"/0a1b2c3d", aTok, nil); r.Code != http.StatusNoContent {
		t.Fatalf("delete: got %d %s, want 204", r.Code, r.Body)
	}
	if r := call(t, "GET", base+"/0a1b2c3d", vTok, nil); r.Code != http.StatusNotFound {
		t.Errorf("get after delete: got %d, want 404", r.Code)
	}
	if r := call(t, "DELETE", base+"/0a1b2c3d", aTok, nil); r.Code != http.StatusNotFound {
		t.Errorf("delete again: got %d, want 404", r.Code)
	}
	assertAudit(t, ten, "triage.put", "triage.delete")
}

// assertAudit checks that tenant t's audit log has the given actions.
func assertAudit(t *testing.T, ten tenant.ID, actions ...string) {
	t.Helper()
	r := call(t, "GET", "/api/v1/tenants/"+string(ten)+"/audit", adminToken(t), nil)
	var log struct{ Entries []auditJSON }
	r.json(t, &log)
	have := map[string]bool{}
	for _, e := range log.Entries {
		have[e.Action] = true
	}
	for _, a := range actions {
		if !have[a] {
			t.Errorf("audit log of %s has no %q entry", ten, a)
		}
	}
}
