package collector

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/spoorsec/spoor/trails"
)

// Trail delivery is two resources rather than one bundle, because their
// sizes and rates of change differ by orders of magnitude:
//
//   - the global set (GET /api/v1/sensor/trails): the compiled trails.bin,
//     57 MB for Maltrail's 1.6M static trails, zstd-compressed (23.5 MB)
//     once per change of the --trails file and served from memory; its
//     ETag is the SHA-256 of the compiled bytes, which the sensor verifies
//     and keeps on disk with the file, so a sensor restarted without a
//     collector still has its trails, and a poll that finds nothing new
//     costs a 304;
//   - the tenant overlay (GET /api/v1/sensor/overlay): the tenant's custom
//     trails and whitelist, a few KB, built from the store and cached for
//     OverlayTTL; its ETag is the SHA-256 of its canonical encoding.
//
// The sensor layers the overlay over the global set (trails.Set.Layer, well
// under a millisecond for 1,000 custom trails over the full static set), so
// an API change reaches sensors without moving 57 MB, and the global set is
// never rebuilt per tenant.

// Trail delivery paths.
const (
	GlobalTrailsPath  = "/api/v1/sensor/trails"
	TrailsOverlayPath = "/api/v1/sensor/overlay"
)

// Media types of the two resources: a zstd frame holding a compiled trail
// file, and one holding an encoded trails.Overlay.
const (
	GlobalTrailsType  = "application/vnd.spoor.trails+zstd"
	TrailsOverlayType = "application/vnd.spoor.overlay+zstd"
)

// TrailsCountHeader carries the number of trails of a global set, so a
// sensor can refuse an implausibly small one before downloading it whole.
const TrailsCountHeader = "X-Spoor-Trails"

// globalBundle is one version of the global set as served.
type globalBundle struct {
	etag     string // quoted
	body     []byte // zstd frame of the compiled file
	raw      int    // compiled size
	trails   int
	set      *trails.Set // the loaded set, for the API's /check
	loadedAt time.Time
}

// globalTrails keeps the global set of the --trails path, reloading it when
// the path changes.
type globalTrails struct {
	path string
	log  *slog.Logger
	met  *trailMetrics
	now  func() time.Time

	cur atomic.Pointer[globalBundle]
	mu  sync.Mutex // one reload at a time
	fp  string     // fingerprint of the path at the last load attempt
}

// newGlobalTrails loads path once; an error here is a configuration error.
func newGlobalTrails(path string, met *trailMetrics, log *slog.Logger, now func() time.Time) (*globalTrails, error) {
	g := &globalTrails{path: path, log: log, met: met, now: now}
	if _, err := g.reload(); err != nil {
		return nil, err
	}
	return g, nil
}

// current returns the bundle served now.
func (g *globalTrails) current() *globalBundle { return g.cur.Load() }

// watch reloads the set every interval while it changes, until ctx ends.
func (g *globalTrails) watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := g.reload(); err != nil {
			g.met.reloadErrors.Inc()
			g.log.Error("cannot reload the global trail set: still serving the previous one", "path", g.path, "err", err)
		}
	}
}

// reload loads the path again if its fingerprint changed, and reports
// whether a new bundle is served. A failed load is not retried until the
// path changes again.
func (g *globalTrails) reload() (bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	fp, err := pathFingerprint(g.path)
	if err != nil {
		return false, fmt.Errorf("cannot read trails %s: %w", g.path, err)
	}
	if fp == g.fp {
		return false, nil
	}
	g.fp = fp
	b, err := buildGlobalBundle(g.path, g.log)
	if err != nil {
		return false, err
	}
	b.loadedAt = g.now()
	old := g.cur.Swap(b)
	g.met.globalTrails.Set(float64(b.trails))
	g.met.globalBytes.Set(float64(len(b.body)))
	g.met.globalLoaded.Set(float64(b.loadedAt.Unix()))
	if old == nil || old.etag != b.etag {
		g.log.Info("serving global trail set", "path", g.path, "trails", b.trails, "etag", b.etag,
			"compiled_bytes", b.raw, "compressed_bytes", len(b.body))
	}
	return true, nil
}

// buildGlobalBundle loads path (compiled file, trails.csv or trail
// directory), compiles it unless it is compiled already, and compresses it.
// A compiled file is served byte for byte, so its ETag survives restarts;
// one compiled here gets a new string-table seed, and so a new ETag, each
// time (deploy a compiled trails.bin to avoid the re-downloads).
func buildGlobalBundle(path string, log *slog.Logger) (*globalBundle, error) {
	start := time.Now()
	set, err := trails.Load(path, trails.LoadOptions{Logger: log})
	if err != nil {
		return nil, err
	}
	var compiled []byte
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		if compiled, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("cannot read trails %s: %w", path, err)
		}
		if !trails.IsCompiled(compiled) {
			compiled = nil
		}
	}
	if compiled == nil {
		var buf bytes.Buffer
		if err := set.WriteCompiled(&buf); err != nil {
			return nil, err
		}
		compiled = buf.Bytes()
	}
	sum := sha256.Sum256(compiled)
	// The compiled tables compress about 2.4:1 at any level (hash tables
	// are dense): the fastest level gives 23.5 MB for the static set
	// against 22.9 MB at the default one, in about half the time.
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, fmt.Errorf("cannot compress trails: %w", err)
	}
	body := enc.EncodeAll(compiled, make([]byte, 0, len(compiled)/3))
	enc.Close()
	log.Debug("global trail set built", "path", path, "took", time.Since(start).Round(time.Millisecond))
	return &globalBundle{
		etag:   `"` + hex.EncodeToString(sum[:]) + `"`,
		body:   body,
		raw:    len(compiled),
		trails: set.Len(),
		set:    set,
	}, nil
}

// pathFingerprint summarises what a reload depends on: for a file its size and
// modification time, for a directory those of every file under it.
func pathFingerprint(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	put := func(name string, fi fs.FileInfo) {
		var b [16]byte
		binary.LittleEndian.PutUint64(b[:], uint64(fi.Size()))
		binary.LittleEndian.PutUint64(b[8:], uint64(fi.ModTime().UnixNano()))
		h.Write([]byte(name))
		h.Write([]byte{0})
		h.Write(b[:])
	}
	if !fi.IsDir() {
		put("", fi)
		return string(h.Sum(nil)), nil
	}
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			put(p, info)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return string(h.Sum(nil)), nil
}
