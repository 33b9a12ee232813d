package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spoorsec/spoor/trails"
	"github.com/spoorsec/spoor/trails/feeds"
)

// trailTree writes a small Maltrail layout: trails/static, trails/custom and data/.
func trailTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"trails/static/malware/zeus.txt":   "zeus-cc.example\n45.9.20.7\nwhitelisted.example\n",
		"trails/static/mass_scanner.txt":   "45.9.20.8\n",
		"trails/custom/mine.txt":           "mine.example\n",
		"data/whitelist.txt":               "whitelisted.example\n",
		"data/bogon_ranges.txt":            "10.0.0.0/8\n",
		"data/cdn_ranges.txt":              "104.16.0.0/13\n",
		"trails/static/malware/bogons.txt": "10.1.2.3\n",
	}
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(root, "trails")
}

func allFeedNames() string {
	var names []string
	for _, s := range feeds.Maltrail() {
		names = append(names, s.Name)
	}
	return strings.Join(names, ",")
}

func TestTrailsUpdate(t *testing.T) {
	tree := trailTree(t)
	list := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "# remote list\nremote.example\n45.9.0.0/22\n")
	}))
	defer list.Close()
	stix := filepath.Join(t.TempDir(), "bundle.json")
	bundle := `{"type": "bundle", "objects": [{"type": "indicator", "id": "indicator--1",
		"name": "C2", "pattern": "[ipv4-addr:value = '45.9.30.1']", "pattern_type": "stix"}]}`
	if err := os.WriteFile(stix, []byte(bundle), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	// Every Maltrail feed disabled: the test must not reach for the internet.
	err := runTrails([]string{"update", "--static", tree, "--out", out, "--disable-feeds", allFeedNames(),
		"--custom-urls", list.URL, "--stix", "cert=" + stix})
	if err != nil {
		t.Fatal(err)
	}
	set, err := trails.Load(filepath.Join(out, "trails.bin"), trails.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]trails.Entry{
		"zeus-cc.example":     {Info: "zeus (malware)", Reference: "(static)"},
		"45.9.20.7":           {Info: "zeus (malware)", Reference: "(static)"},
		"45.9.20.8":           {Info: "mass scanner", Reference: "(static)"},
		"mine.example":        {Info: "mine", Reference: "(custom)"},
		"remote.example":      {Info: "blacklisted", Reference: "(remote custom)"},
		"45.9.0.0/22":         {Info: "blacklisted", Reference: "(remote custom)"},
		"45.9.30.1":           {Info: "c2", Reference: "cert"},
		"whitelisted.example": {},
		"10.1.2.3":            {},
	}
	for key, w := range want {
		got, ok := set.Lookup(key)
		if ok != (w.Info != "") || got != w {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v", key, got, ok, w)
		}
	}
	var csv bytes.Buffer
	if err := set.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	written, err := os.ReadFile(filepath.Join(out, "trails.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(written, csv.Bytes()) {
		t.Errorf("trails.csv differs from the compiled set's export")
	}

	// export: compiled to CSV and back.
	exported := filepath.Join(t.TempDir(), "x.csv")
	if err := runTrails([]string{"export", "--trails", filepath.Join(out, "trails.bin"), "--out", exported}); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(exported); err != nil || !bytes.Equal(got, written) {
		t.Errorf("export = %d bytes (err %v), want trails.csv's %d", len(got), err, len(written))
	}
	bin := filepath.Join(t.TempDir(), "x.bin")
	if err := runTrails([]string{"export", "--trails", exported, "--out", bin}); err != nil {
		t.Fatal(err)
	}
	if s, err := trails.Load(bin, trails.LoadOptions{}); err != nil || s.Len() != set.Len() {
		t.Errorf("export to .bin: %v trails (err %v), want %d", s.Len(), err, set.Len())
	}
}

func TestTrailsUpdateOffline(t *testing.T) {
	tree := trailTree(t)
	out := t.TempDir()
	if err := runTrails([]string{"update", "--offline", "--static", tree, "--out", out,
		"--custom-urls", "http://unreachable.invalid/list"}); err != nil {
		t.Fatal(err)
	}
	set, err := trails.Load(filepath.Join(out, "trails.bin"), trails.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != 4 {
		t.Errorf("offline update built %d trails, want the tree's 4", set.Len())
	}
}

func TestTrailsImport(t *testing.T) {
	stix := filepath.Join(t.TempDir(), "bundle.json")
	bundle := `{"type": "bundle", "objects": [{"type": "indicator", "id": "indicator--1",
		"name": "C2", "pattern": "[domain-name:value = 'c2.example']", "pattern_type": "stix"}]}`
	if err := os.WriteFile(stix, []byte(bundle), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := runTrails([]string{"import", "--stix", stix, "--out", out}); err != nil {
		t.Fatal(err)
	}
	set, err := trails.Load(filepath.Join(out, "trails.csv"), trails.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := set.Lookup("c2.example"); !ok || e != (trails.Entry{Info: "c2", Reference: "bundle"}) {
		t.Errorf("Lookup(c2.example) = %+v, %v; want c2, bundle", e, ok)
	}
}

func TestTrailsErrors(t *testing.T) {
	out := t.TempDir()
	tests := []struct {
		name  string
		args  []string
		usage bool
	}{
		{"no command", nil, true},
		{"unknown command", []string{"frobnicate"}, true},
		{"no out", []string{"update", "--offline"}, true},
		{"unknown feed", []string{"update", "--out", out, "--feeds", "nosuchfeed"}, true},
		{"bad regex", []string{"update", "--offline", "--out", out, "--disabled-info-regex", "("}, true},
		{"bad proxy", []string{"update", "--offline", "--out", out, "--proxy", "ftp://x"}, true},
		{"nothing built", []string{"update", "--offline", "--out", out}, false},
		{"export without paths", []string{"export"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := runTrails(tt.args)
			if err == nil {
				t.Fatalf("runTrails(%q) = nil, want an error", tt.args)
			}
			if errors.Is(err, errUsage) != tt.usage {
				t.Errorf("runTrails(%q) = %v, usage error %v; want %v", tt.args, err, errors.Is(err, errUsage), tt.usage)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(out, "trails.bin")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an empty build wrote trails.bin (stat: %v)", err)
	}
}

func TestSplitImportSpec(t *testing.T) {
	tests := []struct{ in, ref, loc string }{
		{"circl=https://www.circl.lu/doc/misp/feed-osint", "circl", "https://www.circl.lu/doc/misp/feed-osint"},
		{"https://example.com/feed?x=1", "", "https://example.com/feed?x=1"},
		{"/var/lib/misp", "", "/var/lib/misp"},
		{"ref=/var/lib/misp", "ref", "/var/lib/misp"},
		{"=x", "", "=x"},
	}
	for _, tt := range tests {
		if ref, loc := splitImportSpec(tt.in); ref != tt.ref || loc != tt.loc {
			t.Errorf("splitImportSpec(%q) = %q, %q; want %q, %q", tt.in, ref, loc, tt.ref, tt.loc)
		}
	}
}
