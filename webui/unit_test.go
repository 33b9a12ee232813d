package webui

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestJavaScriptUnits runs the console's pure-logic unit tests
// (testdata/unit.js: search language, grouping, columns, exports) as ES
// modules straight from src/ in headless Chromium, one subtest per case.
func TestJavaScriptUnits(t *testing.T) {
	chromiumPath(t)
	srv := httptest.NewServer(http.FileServer(http.Dir(".")))
	defer srv.Close()
	ctx := browser(t, time.Minute)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/testdata/unit.html")); err != nil {
		t.Fatal(err)
	}
	type result struct {
		Name    string `json:"name"`
		OK      bool   `json:"ok"`
		Message string `json:"message"`
	}
	results, err := chromedp.Run(ctx, chromedp.Poll[[]result]("window.unitResults", chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		t.Fatalf("the unit page did not finish (a module failed to load?): %v", err)
	}
	if len(results) < 20 {
		t.Errorf("got %d cases, want at least 20", len(results))
	}
	for _, r := range results {
		t.Run(r.Name, func(t *testing.T) {
			if !r.OK {
				t.Error(r.Message)
			}
		})
	}
}
