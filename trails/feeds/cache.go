package feeds

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// cache keeps the last body of each URL in a directory: <key>.body and <key>.json, the
// key being a hash of the URL. Both files are replaced atomically; the metadata records
// the body's digest, so a body and metadata from different writes are detected and the
// entry treated as absent.
type cache struct {
	dir string
}

type cacheMeta struct {
	URL          string    `json:"url"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	Fetched      time.Time `json:"fetched"` // last 200 or 304 answer
	Size         int64     `json:"size"`
	SHA256       string    `json:"sha256"`
}

type cacheEntry struct {
	key  string
	meta cacheMeta
}

func openCache(dir string) (*cache, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("cannot create feed cache: %w", err)
	}
	return &cache{dir: dir}, nil
}

func cacheKey(url string) string {
	h := sha256.Sum256([]byte(url))
	return hex.EncodeToString(h[:16])
}

func (c *cache) path(key, ext string) string { return filepath.Join(c.dir, key+ext) }

// load returns the entry for url, or nil.
func (c *cache) load(url string) *cacheEntry {
	key := cacheKey(url)
	data, err := os.ReadFile(c.path(key, ".json"))
	if err != nil {
		return nil
	}
	var m cacheMeta
	if json.Unmarshal(data, &m) != nil || m.URL != url {
		return nil
	}
	return &cacheEntry{key: key, meta: m}
}

var errCacheMismatch = errors.New("cached body does not match its metadata")

// body reads an entry's body and checks it against the metadata.
func (c *cache) body(e *cacheEntry) ([]byte, error) {
	body, err := os.ReadFile(c.path(e.key, ".body"))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	if int64(len(body)) != e.meta.Size || hex.EncodeToString(sum[:]) != e.meta.SHA256 {
		return nil, errCacheMismatch
	}
	return body, nil
}

// store records a 200 answer.
func (c *cache) store(url string, body []byte, h http.Header, now time.Time) error {
	key := cacheKey(url)
	sum := sha256.Sum256(body)
	m := cacheMeta{
		URL:          url,
		ETag:         h.Get("ETag"),
		LastModified: h.Get("Last-Modified"),
		Fetched:      now.UTC(),
		Size:         int64(len(body)),
		SHA256:       hex.EncodeToString(sum[:]),
	}
	if err := writeAtomic(c.path(key, ".body"), body); err != nil {
		return err
	}
	return c.writeMeta(key, m)
}

// touch records a 304 answer: the cached body is current as of now.
func (c *cache) touch(e *cacheEntry, now time.Time) {
	e.meta.Fetched = now.UTC()
	_ = c.writeMeta(e.key, e.meta) // an old timestamp only makes the copy look staler
}

func (c *cache) writeMeta(key string, m cacheMeta) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return writeAtomic(c.path(key, ".json"), data)
}

// writeAtomic writes data to a temporary file beside path and renames it over path.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
