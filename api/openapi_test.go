package api

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestOpenAPICoversRoutes keeps the document in step with the router:
// every mounted route is documented with its method, and nothing else.
func TestOpenAPICoversRoutes(t *testing.T) {
	r := call(t, "GET", "/api/v1/openapi.json", "", nil)
	if r.Code != 200 {
		t.Fatalf("got %d, want 200", r.Code)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	r.json(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("got openapi %q, want 3.x", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			if m != "parameters" {
				documented[strings.ToUpper(m)+" "+p] = true
			}
		}
	}
	param := regexp.MustCompile(`:([a-z]+)`)
	engine := gin.New()
	env.api.Register(engine)
	mounted := map[string]bool{}
	for _, rt := range engine.Routes() {
		p := param.ReplaceAllString(strings.TrimPrefix(rt.Path, "/api/v1"), "{$1}")
		mounted[rt.Method+" "+p] = true
		if !documented[rt.Method+" "+p] {
			t.Errorf("route %s %s is not in openapi.json", rt.Method, p)
		}
	}
	for k := range documented {
		if !mounted[k] {
			t.Errorf("openapi.json documents %s, which is not mounted", k)
		}
	}
}

func TestErrorsAreJSON(t *testing.T) {
	r := call(t, "GET", "/api/v1/tenants/nope/sensors", "", nil)
	if r.Code != 401 || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("got %d %q, want 401 JSON", r.Code, r.Header.Get("Content-Type"))
	}
	r.errMsg(t)
	if r := call(t, "GET", "/api/v1/readyz", "", nil); r.Code != 200 {
		t.Errorf("readyz: got %d %s, want 200", r.Code, r.Body)
	}
}
