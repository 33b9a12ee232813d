package feeds

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/spoorsec/spoor/trails"
)

// ImportOptions controls ImportMISP and ImportSTIX.
type ImportOptions struct {
	// Reference is the reference of every imported trail. Empty means the source's host
	// for a URL, its file (or directory) name for a local path.
	Reference string
	// MaxAge leaves out MISP events dated, and STIX indicators valid from or last
	// modified, longer ago than this; 0 imports them whatever their age.
	MaxAge time.Duration
	// AllAttributes imports MISP attributes that are not marked for detection (to_ids
	// false) too.
	AllAttributes bool
}

// isURL reports whether loc is fetched over HTTP rather than read from disk.
func isURL(loc string) bool {
	return strings.HasPrefix(loc, "http://") || strings.HasPrefix(loc, "https://")
}

// defaultReference names a source for the reference of its trails.
func defaultReference(loc string) string {
	if isURL(loc) {
		if u, err := url.Parse(loc); err == nil && u.Hostname() != "" {
			return u.Hostname()
		}
		return loc
	}
	name := filepath.Base(filepath.Clean(loc))
	if fi, err := os.Stat(loc); err == nil && !fi.IsDir() {
		if stem := strings.TrimSuffix(name, filepath.Ext(name)); stem != "" && stem != "manifest" {
			return stem
		}
		name = filepath.Base(filepath.Dir(filepath.Clean(loc)))
	}
	return name
}

// readLocal reads a file, at most MaxBody bytes of it.
func (c *Client) readLocal(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, c.cfg.MaxBody+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > c.cfg.MaxBody {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, c.cfg.MaxBody)
	}
	return data, nil
}

// load reads a location: a URL through the client (cache, retries), a path from disk.
func (f *fetcher) load(ctx context.Context, loc string) ([]byte, error) {
	if isURL(loc) {
		return f.raw(ctx, loc)
	}
	return f.c.readLocal(loc)
}

// infoText turns free text (a MISP event's info, a STIX indicator's name) into a trail
// info: lowercase, whitespace collapsed, at most 80 characters.
func infoText(s string) string {
	s = strings.ToLower(strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " "))
	if r := []rune(s); len(r) > 80 {
		s = strings.TrimSpace(string(r[:80]))
	}
	return s
}

// familyInfo is the info of a trail that belongs to a named malware family or actor.
func familyInfo(name string, actor bool) string {
	name = infoText(name)
	if name == "" {
		return ""
	}
	if actor {
		return name + " (adversary)"
	}
	return name + " (malware)"
}

// validKey reports whether an indicator value can be a trail key: not empty, and no
// whitespace or control characters, which no trail the sensor matches contains.
func validKey(s string) bool {
	if s == "" || len(s) > 2048 {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// urlKey turns a URL indicator into a trail key as a custom trail line would be.
func urlKey(v string) (string, bool) {
	k, ok := trails.ParseCustomLine(v)
	return k, ok && validKey(k)
}
