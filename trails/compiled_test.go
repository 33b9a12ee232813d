package trails

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// compiledCopy writes s as a compiled file and loads it back with Load.
func compiledCopy(t testing.TB, s *Set, opts LoadOptions) *Set {
	t.Helper()
	path := filepath.Join(t.TempDir(), "trails.bin")
	if err := s.SaveCompiled(path); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func compiledBytes(t testing.TB, s *Set) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := s.WriteCompiled(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// aligned copies b into an 8-byte aligned buffer, as readFileAligned returns.
func aligned(b []byte) []byte {
	words := make([]uint64, (len(b)+7)/8)
	out := u64Bytes(words)[:len(b)]
	copy(out, b)
	return out
}

// resum recomputes a compiled file's checksum after a deliberate edit.
func resum(b []byte) {
	binary.LittleEndian.PutUint32(b[32:], 0)
	binary.LittleEndian.PutUint32(b[32:], crc32.Checksum(b, castagnoli))
}

func TestCompiledRoundTrip(t *testing.T) {
	s := lookupSet(t)
	c := compiledCopy(t, s, LoadOptions{})
	if got, want := csvRows(t, c), csvRows(t, s); !slices.Equal(got, want) {
		t.Errorf("compiled CSV rows = %q, want %q", got, want)
	}
	if got, want := c.Stats(), s.Stats(); got != want {
		t.Errorf("compiled Stats() = %+v, want %+v", got, want)
	}
	// A compiled set written again is byte for byte the file it came from.
	if a, b := compiledBytes(t, s), compiledBytes(t, c); !bytes.Equal(a, b) {
		t.Errorf("rewritten compiled file differs (%d bytes, want %d)", len(b), len(a))
	}
}

func TestCompiledEmpty(t *testing.T) {
	s, err := LoadCSV(strings.NewReader(""), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := compiledCopy(t, s, LoadOptions{})
	if c.Len() != 0 {
		t.Errorf("Len() = %d, want 0", c.Len())
	}
	if _, ok := c.Lookup("a.example"); ok {
		t.Errorf("Lookup on an empty compiled set = hit, want miss")
	}
}

func TestCompiledWhitelist(t *testing.T) {
	s := lookupSet(t)
	tests := []struct {
		name  string
		wl    *Whitelist
		gone  []string
		alias bool // the decoded set is used as it is, not copied without some trails
	}{
		{"none", nil, nil, true},
		{"no overlap", NewWhitelist("clean.example", "203.0.113.7"), nil, true},
		{"domain", NewWhitelist("evil-test-domain.com"), []string{"evil-test-domain.com"}, false},
		{"address range", NewWhitelist("66.66.66.0/24"), []string{"66.66.66.66"}, false},
		{"ipv6", NewWhitelist("dead:0::beef"), []string{"dead::beef"}, false},
		{"cidr text", NewWhitelist("10.1.0.0/16"), nil, true}, // a range entry, as in a CSV load
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			decoded, err := decodeCompiled(aligned(compiledBytes(t, s)), discardLogger)
			if err != nil {
				t.Fatal(err)
			}
			c, err := decoded.withoutWhitelisted(tt.wl, discardLogger)
			if err != nil {
				t.Fatal(err)
			}
			if alias := c == decoded; alias != tt.alias {
				t.Errorf("loaded in place = %v, want %v", alias, tt.alias)
			}
			if got, want := c.Len(), s.Len()-len(tt.gone); got != want {
				t.Errorf("Len() = %d, want %d", got, want)
			}
			for _, k := range tt.gone {
				if _, ok := c.Lookup(k); ok {
					t.Errorf("Lookup(%q) = hit, want whitelisted away", k)
				}
			}
			if _, ok := c.Lookup("/malicious-login.php"); !ok {
				t.Errorf("Lookup(/malicious-login.php) = miss, want hit")
			}
			// The whitelist of a CSV load of the same rows removes the same trails.
			var rows bytes.Buffer
			if err := s.WriteCSV(&rows); err != nil {
				t.Fatal(err)
			}
			fromCSV, err := LoadCSV(&rows, LoadOptions{Whitelist: tt.wl, Logger: discardLogger})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := csvRows(t, c), csvRows(t, fromCSV); !slices.Equal(got, want) {
				t.Errorf("rows = %q, want those of a CSV load %q", got, want)
			}
		})
	}
}

func TestCompiledCorrupt(t *testing.T) {
	good := compiledBytes(t, lookupSet(t))
	le := binary.LittleEndian
	// dirEntry returns the directory entry of section id.
	dirEntry := func(b []byte, id uint32) []byte {
		for i := range int(le.Uint32(b[12:])) {
			if e := b[headerSize+i*dirEntrySize:]; le.Uint32(e) == id {
				return e
			}
		}
		t.Fatalf("section %d not found", id)
		return nil
	}
	section := func(b []byte, id uint32) []byte {
		e := dirEntry(b, id)
		off, n := le.Uint64(e[8:]), le.Uint64(e[16:])
		return b[off : off+n]
	}
	tests := []struct {
		name    string
		edit    func(b []byte) []byte
		version bool // a version error rather than corruption
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)-8] }, false},
		{"header only", func(b []byte) []byte { return b[:40] }, false},
		{"flipped byte", func(b []byte) []byte { b[len(b)/2] ^= 1; return b }, false},
		{"future version", func(b []byte) []byte { le.PutUint16(b[8:], compiledVersion+1); resum(b); return b }, true},
		{"too many sections", func(b []byte) []byte { le.PutUint32(b[12:], 1000); resum(b); return b }, false},
		{"section outside", func(b []byte) []byte {
			le.PutUint64(dirEntry(b, secStrSlots)[8:], uint64(len(b))+8)
			resum(b)
			return b
		}, false},
		{"missing section", func(b []byte) []byte {
			le.PutUint32(dirEntry(b, secWildcards), 99)
			resum(b)
			return b
		}, false},
		{"slot outside arena", func(b []byte) []byte {
			slots := section(b, secStrSlots)
			for i := 0; i < len(slots); i += 8 {
				if le.Uint64(slots[i:]) != 0 {
					le.PutUint32(slots[i:], uint32(len(section(b, secStrArena))+5))
					break
				}
			}
			resum(b)
			return b
		}, false},
		{"pair out of range", func(b []byte) []byte {
			vals := section(b, secIP4Vals)
			keys := section(b, secIP4Keys)
			for i := 0; i < len(keys)/8; i++ {
				if le.Uint64(keys[i*8:]) != 0 {
					le.PutUint32(vals[i*4:], 1<<20)
					break
				}
			}
			resum(b)
			return b
		}, false},
		{"full table", func(b []byte) []byte {
			keys := section(b, secIP4Keys)
			for i := 0; i < len(keys); i += 8 {
				if le.Uint64(keys[i:]) == 0 {
					le.PutUint64(keys[i:], uint64(i+1)<<40)
				}
			}
			resum(b)
			return b
		}, false},
		{"meta count", func(b []byte) []byte {
			le.PutUint64(section(b, secMeta), 3)
			resum(b)
			return b
		}, false},
		{"cidr bits", func(b []byte) []byte {
			section(b, secCIDR)[16] = 200
			resum(b)
			return b
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := aligned(tt.edit(slices.Clone(good)))
			_, err := decodeCompiled(b, discardLogger)
			switch {
			case err == nil:
				t.Fatalf("decodeCompiled = nil error, want one")
			case tt.version && errors.Is(err, errCorrupt):
				t.Errorf("decodeCompiled error = %v, want a version error", err)
			case !tt.version && !errors.Is(err, errCorrupt):
				t.Errorf("decodeCompiled error = %v, want errCorrupt", err)
			}
		})
	}
}

func TestLoadCSVRejectsCompiled(t *testing.T) {
	if _, err := LoadCSV(bytes.NewReader(compiledBytes(t, lookupSet(t))), LoadOptions{}); err == nil {
		t.Errorf("LoadCSV of a compiled file = nil error, want one")
	}
}

func TestLoadCompiledCustomDirs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trails.bin")
	if err := lookupSet(t).SaveCompiled(path); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path, LoadOptions{CustomDirs: []string{t.TempDir()}}); err == nil {
		t.Errorf("Load(compiled, CustomDirs) = nil error, want one")
	}
}

func TestSaveAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "trails.csv")
	if err := os.WriteFile(path, []byte("old.example,old,(static)\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := lookupSet(t)
	if err := s.SaveCSV(path); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := s.WriteCSV(&want); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("saved CSV differs from WriteCSV output")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only trails.csv (no temporary file left)", len(entries))
	}
	if err := s.SaveCSV(filepath.Join(dir, "missing", "trails.csv")); err == nil {
		t.Errorf("SaveCSV into a missing directory = nil error, want one")
	}
}

func TestCompiledStatic(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 1.8M trails")
	}
	s := staticSet(t)
	c := compiledCopy(t, s, LoadOptions{Whitelist: loadMaltrailWhitelist(t), Logger: discardLogger})
	var a, b bytes.Buffer
	if err := s.WriteCSV(&a); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("compiled static set's CSV differs from the source set's (%d bytes, want %d)", b.Len(), a.Len())
	}
	if got, want := c.Stats(), s.Stats(); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
	if n := testing.AllocsPerRun(100, func() { c.Lookup("h5d5c57.com") }); n != 0 {
		t.Errorf("Lookup on a compiled set: %v allocations, want 0", n)
	}
}

// FuzzDecodeCompiled feeds damaged and forged compiled files to the decoder. The
// checksum is recomputed so that the structure checks behind it are exercised.
func FuzzDecodeCompiled(f *testing.F) {
	f.Add(compiledBytes(f, lookupSet(f)))
	empty, err := LoadCSV(strings.NewReader(""), LoadOptions{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(compiledBytes(f, empty))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		b := aligned(data)
		if len(b) >= headerSize {
			binary.LittleEndian.PutUint64(b[24:], uint64(len(b)))
			resum(b)
		}
		s, err := decodeCompiled(b, discardLogger)
		if err != nil {
			return
		}
		s.Lookup("evil-test-domain.com")
		s.Lookup("6.6.6.6:8443")
		s.MatchWildcard("dga1.wildcard-test.com")
		if err := s.WriteCSV(&bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
	})
}
