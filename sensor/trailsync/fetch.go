package trailsync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/spoorsec/spoor/trails"
)

// Cache file names in Options.CacheDir.
const (
	globalFile      = "global.bin"
	globalETagFile  = "global.etag"
	overlayFile     = "overlay.bin"
	overlayETagFile = "overlay.etag"
)

// ErrShrank is why a global set less than half the size of the current one
// is refused.
var ErrShrank = errors.New("global trail set is less than half the size of the current one")

// fetchGlobal downloads the global set when it changed, checks it and makes
// it current.
func (s *Syncer) fetchGlobal(ctx context.Context) error {
	resp, err := s.get(ctx, globalPath, s.globalETag, s.refusedGlobal)
	if err != nil || resp == nil {
		return err
	}
	defer resp.Body.Close()
	etag := resp.Header.Get("ETag")
	sum, ok := strings.CutPrefix(strings.TrimSuffix(etag, `"`), `"`)
	if _, err := hex.DecodeString(sum); !ok || err != nil || len(sum) != 2*sha256.Size {
		return fmt.Errorf("global trail set: ETag %q is not a quoted SHA-256", etag)
	}
	if ct := resp.Header.Get("Content-Type"); ct != globalType {
		return fmt.Errorf("global trail set: content type %q, want %s", ct, globalType)
	}
	// The collector announces the size: a set that will be refused is not
	// downloaded.
	if n, err := strconv.Atoi(resp.Header.Get(countHeader)); err == nil && s.shrinks(n) {
		return s.refuse(etag, n)
	}

	start := time.Now()
	dir := s.o.CacheDir
	if dir == "" {
		dir = os.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create the trail cache: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".global-*.tmp")
	if err != nil {
		return fmt.Errorf("cannot store the global trail set: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a rename, removes nothing
	h := sha256.New()
	err = unzstdTo(io.MultiWriter(tmp, h), resp.Body, s.o.MaxGlobalBytes)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("cannot download the global trail set: %w", err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		s.met.refused.WithLabelValues("corrupt").Inc()
		return fmt.Errorf("global trail set: SHA-256 %s, ETag says %s", got, sum)
	}
	set, err := trails.Load(tmp.Name(), trails.LoadOptions{Whitelist: s.localWL, Logger: s.log})
	if err != nil {
		s.met.refused.WithLabelValues("corrupt").Inc()
		return fmt.Errorf("global trail set: %w", err)
	}
	if s.shrinks(set.Len()) {
		return s.refuse(etag, set.Len())
	}
	if s.o.CacheDir != "" {
		if err := s.keep(tmp.Name(), globalFile, globalETagFile, etag); err != nil {
			s.log.Warn("cannot cache the global trail set", "err", err)
		}
	}
	s.global, s.globalETag, s.refusedGlobal = set, etag, ""
	s.met.setVersion("global", etag)
	s.log.Info("global trail set fetched", "trails", set.Len(), "version", etag, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// shrinks reports whether a global set of n trails is less than half the
// current one.
func (s *Syncer) shrinks(n int) bool { return s.global != nil && n*2 < s.global.Len() }

func (s *Syncer) refuse(etag string, n int) error {
	s.refusedGlobal = etag
	s.met.refused.WithLabelValues("shrank").Inc()
	return fmt.Errorf("%w (%d < %d/2): keeping the current one (version %s)", ErrShrank, n, s.global.Len(), s.globalETag)
}

// fetchOverlay downloads the tenant overlay when it changed.
func (s *Syncer) fetchOverlay(ctx context.Context) error {
	resp, err := s.get(ctx, overlayPath, s.overlayETag)
	if err != nil || resp == nil {
		return err
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != overlayType {
		return fmt.Errorf("trail overlay: content type %q, want %s", ct, overlayType)
	}
	var raw bytes.Buffer
	if err := unzstdTo(&raw, resp.Body, maxOverlayMB<<20); err != nil {
		return fmt.Errorf("cannot download the trail overlay: %w", err)
	}
	o, err := trails.DecodeOverlay(raw.Bytes())
	if err != nil {
		s.met.refused.WithLabelValues("corrupt").Inc()
		return err
	}
	etag := resp.Header.Get("ETag")
	if s.o.CacheDir != "" {
		err := writeAtomic(filepath.Join(s.o.CacheDir, overlayFile), raw.Bytes())
		if err == nil {
			err = writeAtomic(filepath.Join(s.o.CacheDir, overlayETagFile), []byte(etag+"\n"))
		}
		if err != nil {
			s.log.Warn("cannot cache the trail overlay", "err", err)
		}
	}
	s.overlay, s.overlayETag = o, etag
	s.met.setVersion("overlay", etag)
	s.log.Info("trail overlay fetched", "custom_trails", len(o.Trails), "whitelist", len(o.Whitelist), "version", etag)
	return nil
}

// loadCache makes the cached global set and overlay current, when present
// and sound.
func (s *Syncer) loadCache() {
	dir := s.o.CacheDir
	if dir == "" {
		return
	}
	if s.o.LocalTrails == nil {
		if etag, err := os.ReadFile(filepath.Join(dir, globalETagFile)); err == nil {
			start := time.Now()
			set, err := trails.Load(filepath.Join(dir, globalFile), trails.LoadOptions{Whitelist: s.localWL, Logger: s.log})
			if err != nil {
				s.log.Warn("cached global trail set unusable", "err", err)
			} else {
				s.global, s.globalETag = set, strings.TrimSpace(string(etag))
				s.met.setVersion("global", s.globalETag)
				s.log.Info("cached global trail set loaded", "trails", set.Len(), "version", s.globalETag, "took", time.Since(start).Round(time.Millisecond))
			}
		}
	}
	if etag, err := os.ReadFile(filepath.Join(dir, overlayETagFile)); err == nil {
		raw, err := os.ReadFile(filepath.Join(dir, overlayFile))
		if err == nil {
			var o *trails.Overlay
			if o, err = trails.DecodeOverlay(raw); err == nil {
				s.overlay, s.overlayETag = o, strings.TrimSpace(string(etag))
				s.met.setVersion("overlay", s.overlayETag)
			}
		}
		if err != nil {
			s.log.Warn("cached trail overlay unusable", "err", err)
		}
	}
}

// keep renames a downloaded file into the cache and records its ETag.
func (s *Syncer) keep(tmp, name, etagName, etag string) error {
	if err := os.Rename(tmp, filepath.Join(s.o.CacheDir, name)); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(s.o.CacheDir, etagName), []byte(etag+"\n"))
}

// unzstdTo decompresses a zstd stream into w, refusing more than limit
// bytes.
func unzstdTo(w io.Writer, r io.Reader, limit int64) error {
	d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(limit)))
	if err != nil {
		return err
	}
	defer d.Close()
	n, err := io.Copy(w, io.LimitReader(d, limit+1))
	if err != nil {
		return err
	}
	if n > limit {
		return fmt.Errorf("more than %d bytes decompressed", limit)
	}
	return nil
}

// writeAtomic writes data to path through a temporary file and a rename.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// readError returns the collector's {"error": ...} message, or the start
// of the body.
func readError(resp *http.Response) string {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	var v struct{ Error string }
	if json.Unmarshal(b, &v) == nil && v.Error != "" {
		return v.Error
	}
	return strings.TrimSpace(string(b))
}
