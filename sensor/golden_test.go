package sensor

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type manifestCase struct {
	Name   string   `json:"name"`
	Pcap   string   `json:"pcap"`
	Expect []string `json:"expect"`
	Notes  string   `json:"notes"`
}

// TestMaltrailCorpus replays Maltrail's own detection corpus: every expected
// string must appear in the events, and cases without expectations must
// stay silent.
func TestMaltrailCorpus(t *testing.T) {
	dir := testdata(t, "pcaps", "maltrail")
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []manifestCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 30 {
		t.Fatalf("got %d manifest cases, want at least 30", len(cases))
	}
	set := loadTrails(t, filepath.Join(dir, "trails.csv"))
	for _, workers := range []int{1, 2} {
		for _, c := range cases {
			t.Run(c.Name+"/workers="+string(rune('0'+workers)), func(t *testing.T) {
				h := newHarness(t, set, DefaultConfig())
				lines := h.replay(t, workers, filepath.Join(dir, c.Pcap))
				all := strings.Join(lines, "\n")
				if len(c.Expect) == 0 && len(lines) > 0 {
					t.Fatalf("%s: got events, want none:\n%s", c.Notes, all)
				}
				for _, want := range c.Expect {
					if !strings.Contains(all, want) {
						t.Errorf("%s: missing %q in events:\n%s", c.Notes, want, all)
					}
				}
			})
		}
	}
}
