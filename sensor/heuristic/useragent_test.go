package heuristic

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/spoorsec/spoor/internal/shared"
)

func loadTestUA(tb testing.TB) *UAMatcher {
	tb.Helper()
	m, err := LoadUA(filepath.Join(sharedTestdata(tb), "maltrail", "data", "ua.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func TestUAPrefilterCoverage(t *testing.T) {
	// Rules without a required literal run on every User-Agent: today only
	// \A\w{1,2}\Z and \A[^ ]\Z. Many more means the prefilter regressed.
	m := loadTestUA(t)
	if n := m.set.Unfiltered(); n > 4 {
		t.Errorf("got %d of %d rules without a literal prefilter, want at most 4", n, m.set.Len())
	}
	for name, rs := range map[string]*ruleSet{"request": requestSet, "path": pathSet} {
		if n := rs.set.Unfiltered(); n != 0 {
			t.Errorf("%s rules: got %d alternatives without a literal prefilter, want 0", name, n)
		}
	}
}

func TestSuspiciousUAVectors(t *testing.T) {
	m := loadTestUA(t)
	for _, row := range shared.Vectors(t, "suspicious_ua.tsv", 3) {
		t.Run(row[0], func(t *testing.T) {
			if got, want := whitelistUA.First(row[0]) >= 0, row[1] == "1"; got != want {
				t.Errorf("whitelisted(%q) = %v, want %v", row[0], got, want)
			}
			got, ok := m.search(row[0])
			if want := row[2]; got != want || ok != (want != "") {
				t.Errorf("search(%q) = %q, %v; want %q", row[0], got, ok, want)
			}
		})
	}
}

func TestUAMatchTrail(t *testing.T) {
	m := loadTestUA(t)
	tests := []struct {
		ua, trail string
		ok        bool
	}{
		{"masscan/1.0", "masscan(/1.0)", true},
		{"sqlmap/1.0", "sqlmap(/1.0)", true},
		{"Mozilla/5.0 sqlmap/1.0", "sqlmap (Mozilla/5.0 sqlmap/1.0)", true},
		{"nikto", "nikto", true},
		{"() { :;}; /bin/bash", `\(\) { :;(}; /bin/bash)`, true},
		{"Mozilla/4.0 (compatible; MSIE 6.0; Win32)", `Mozilla/4.0 \(compatible; MSIE 6.0; Win32\)`, true},
		{"curl/8.0", "", false},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "", false},
		{"Sophos sqlmap", "", false}, // whitelisted
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.ua, func(t *testing.T) {
			trail, ok := m.Match(tt.ua)
			if trail != tt.trail || ok != tt.ok {
				t.Errorf("Match(%q) = %q, %v; want %q, %v", tt.ua, trail, ok, tt.trail, tt.ok)
			}
			// A second call is served from the cache and must agree.
			if trail2, ok2 := m.Match(tt.ua); trail2 != trail || ok2 != ok {
				t.Errorf("cached Match(%q) = %q, %v; want %q, %v", tt.ua, trail2, ok2, trail, ok)
			}
		})
	}
}

func TestLoadUARules(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Run("missing file", func(t *testing.T) {
		if _, err := LoadUA(filepath.Join(dir, "absent.txt")); err == nil {
			t.Error("got nil error, want one")
		}
	})
	t.Run("no rules", func(t *testing.T) {
		if _, err := LoadUA(write("empty.txt", "# comment\n\n   \n")); err == nil {
			t.Error("got nil error, want one")
		}
	})
	t.Run("escaping", func(t *testing.T) {
		// "C++(" does not compile in Python: matched literally. "a.c (compatible" is
		// always literal, so its '.' must not match any character.
		m, err := LoadUA(write("rules.txt", "  \\Aexact\\Z  \nC++(\na.c (compatible\n"))
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			ua   string
			want bool
		}{
			{"exact", true},
			{"EXACT", true},
			{"not exact", false},
			{"x C++( y", true},
			{"CCC(", false},
			{"a.c (compatible", true},
			{"abc (compatible", false},
		}
		for _, tt := range tests {
			if _, ok := m.Match(tt.ua); ok != tt.want {
				t.Errorf("Match(%q) = %v, want %v", tt.ua, ok, tt.want)
			}
		}
	})
}

func TestUACacheBounded(t *testing.T) {
	c := newLRUCache(32)
	for i := 0; i < 1000; i++ {
		c.put(string(rune('a'+i%26))+string(rune(i)), "", false)
	}
	n := 0
	for i := range c.shards {
		n += len(c.shards[i].index)
		if len(c.shards[i].index) > cap(c.shards[i].entries) {
			t.Errorf("shard %d holds %d entries, capacity %d", i, len(c.shards[i].index), cap(c.shards[i].entries))
		}
	}
	if n > 32 {
		t.Errorf("cache holds %d entries, want at most 32", n)
	}
}

func TestUACacheLRUOrder(t *testing.T) {
	c := newLRUCache(lruShards) // one entry per shard
	s := c.shard("first")
	// Find a second key in the same shard.
	second := ""
	for i := 0; second == ""; i++ {
		k := string(rune('A' + i))
		if c.shard(k) == s {
			second = k
		}
	}
	c.put("first", "t1", true)
	c.put(second, "t2", true)
	if _, _, hit := c.get("first"); hit {
		t.Error("got a hit for the evicted key, want a miss")
	}
	if trail, ok, hit := c.get(second); !hit || trail != "t2" || !ok {
		t.Errorf("get(%q) = %q, %v, %v; want t2, true, true", second, trail, ok, hit)
	}
}

func TestUAMatchConcurrent(t *testing.T) {
	m := loadTestUA(t)
	uas := []string{"masscan/1.0", "curl/8.0", "sqlmap/1.0", "Mozilla/5.0", "nikto", "zgrab/0.x"}
	want := make([]bool, len(uas))
	for i, ua := range uas {
		_, want[i] = m.Match(ua)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				k := i % len(uas)
				if _, ok := m.Match(uas[k]); ok != want[k] {
					t.Errorf("Match(%q) = %v, want %v", uas[k], ok, want[k])
					return
				}
			}
		}()
	}
	wg.Wait()
}
