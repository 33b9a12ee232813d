package dns

import (
	"bytes"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzDNS feeds arbitrary messages to Parse and ParseTCP, seeded with the
// crafted cases and every port-53 payload of the captures in the test data.
func FuzzDNS(f *testing.F) {
	for _, tc := range parseCases() {
		f.Add(tc.msg)
	}
	root := filepath.Join(testdataDir(f), "pcaps")
	err := filepath.WalkDir(root, func(path string, _ fs.DirEntry, err error) error {
		if err != nil || !(strings.HasSuffix(path, ".pcap") || strings.HasSuffix(path, ".pcapng")) {
			return err
		}
		for i, d := range readDNS(f, path) {
			if i == 32 {
				break
			}
			f.Add(d.data)
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	var m Message
	f.Fuzz(func(t *testing.T, msg []byte) {
		if err := m.Parse(msg); err != nil {
			if len(m.Name) != 0 || len(m.Answers) != 0 {
				t.Fatalf("error %v left Name %q and %d answers", err, m.Name, len(m.Answers))
			}
		} else {
			if len(m.Name) > maxPresentationLen || cap(m.Name) != maxPresentationLen {
				t.Fatalf("Name grew to %d (cap %d), want at most %d in the reused buffer", len(m.Name), cap(m.Name), maxPresentationLen)
			}
			if len(m.Answers) > MaxAnswers || len(m.Answers) > int(m.ANCount) {
				t.Fatalf("%d answers for ANCOUNT %d", len(m.Answers), m.ANCount)
			}
			if bytes.HasSuffix(m.Name, []byte(".")) && !bytes.HasSuffix(m.Name, []byte(`\.`)) {
				t.Fatalf("Name %q has a trailing dot", m.Name)
			}
		}
		_ = ParseTCP(msg, &m)
	})
}
