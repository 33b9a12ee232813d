package feeds

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// addTestdata seeds a fuzz target with the recorded bodies under testdata/dir.
func addTestdata(f *testing.F, dir string) {
	err := filepath.WalkDir(filepath.Join("testdata", dir), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err == nil {
			f.Add(data)
		}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
}

// FuzzFeedParsers runs every module's parser on arbitrary text, as a feed's server can
// send anything: no panics, and every trail key valid UTF-8.
func FuzzFeedParsers(f *testing.F) {
	addTestdata(f, ".")
	sources := Maltrail()
	f.Fuzz(func(t *testing.T, data []byte) {
		body := string(data)
		if !utf8.ValidString(body) {
			return // bodies are made valid before parsing
		}
		for i := range sources {
			s := &sources[i]
			for _, tr := range s.parse(s, body) {
				if !utf8.ValidString(tr.Key) || !utf8.ValidString(tr.Info) {
					t.Fatalf("%s yields a trail that is not UTF-8: %q", s.Name, tr.Key)
				}
			}
		}
		parseRemoteCustom(body)
	})
}

func FuzzPatternValues(f *testing.F) {
	for _, p := range []string{
		"[domain-name:value = 'evil.example']",
		"[ipv4-addr:value = '1.2.3.4' OR ipv4-addr:value IN ('5.6.7.8', '9.9.9.9')] START t'2024-01-01T00:00:00Z' STOP t'2025-01-01T00:00:00Z'",
		"([url:value = 'http://a/x'] AND [file:hashes.'SHA-256' = 'ab']) FOLLOWEDBY [x509-certificate:hashes.'SHA-1' = 'cd'] WITHIN 60 SECONDS",
		"[EXISTS windows-registry-key:values[*].name] REPEATS 5 TIMES",
		"[network-traffic:dst_port NOT >= 1024 AND ipv6-addr:value ISSUBSET '2001:db8::/32']",
	} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		patternValues(p)
	})
}

func FuzzParseSTIXBundle(f *testing.F) {
	addTestdata(f, "stix")
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := ParseSTIXBundle(data, "ref", importNow, ImportOptions{})
		if err != nil && len(tr) > 0 {
			t.Fatalf("trails and an error")
		}
	})
}

func FuzzParseMISPEvent(f *testing.F) {
	addTestdata(f, "misp")
	f.Fuzz(func(t *testing.T, data []byte) {
		ParseMISPEvent(data, "ref", ImportOptions{AllAttributes: true})
	})
}
