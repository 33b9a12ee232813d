package trails

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// The overlay wire format, as the collector serves it (zstd-compressed) and sensors cache
// it:
//
//	magic "SPOOROVL", format version byte (overlayVersion)
//	uvarint number of trails, then per trail: str key, str info, str reference
//	uvarint number of whitelist entries, then per entry: str entry
//
// where str is a uvarint length and that many bytes of UTF-8. Trails are sorted by key
// and whitelist entries by value, so equal overlays encode to equal bytes and a hash of
// the encoding versions the content.

const (
	overlayMagic   = "SPOOROVL"
	overlayVersion = 1
	// MaxOverlayEntries bounds the trails, and separately the whitelist entries, of an
	// overlay a decoder accepts.
	MaxOverlayEntries = 1 << 20
	// maxOverlayString bounds one string of an overlay.
	maxOverlayString = 4096
)

// ErrBadOverlay is wrapped by DecodeOverlay's errors about the data.
var ErrBadOverlay = errors.New("malformed trail overlay")

// EncodeOverlay returns the canonical encoding of o: sorted, a repeated key kept once
// (its first occurrence), empty keys and entries left out. Strings longer than the
// decoder accepts are the caller's to refuse. o is not modified.
func EncodeOverlay(o *Overlay) []byte {
	ts := slices.Clone(o.Trails)
	slices.SortStableFunc(ts, func(a, b OverlayTrail) int { return strings.Compare(a.Key, b.Key) })
	ts = slices.CompactFunc(ts, func(a, b OverlayTrail) bool { return a.Key == b.Key })
	ts = slices.DeleteFunc(ts, func(t OverlayTrail) bool { return t.Key == "" })
	wl := slices.Clone(o.Whitelist)
	slices.Sort(wl)
	wl = slices.Compact(wl)
	wl = slices.DeleteFunc(wl, func(w string) bool { return w == "" })
	n := len(overlayMagic) + 1 + 2*binary.MaxVarintLen64
	for _, t := range ts {
		n += len(t.Key) + len(t.Info) + len(t.Reference) + 3*binary.MaxVarintLen64
	}
	for _, w := range wl {
		n += len(w) + binary.MaxVarintLen64
	}
	b := make([]byte, 0, n)
	b = append(b, overlayMagic...)
	b = append(b, overlayVersion)
	b = binary.AppendUvarint(b, uint64(len(ts)))
	for _, t := range ts {
		b = appendLenString(b, t.Key)
		b = appendLenString(b, t.Info)
		b = appendLenString(b, t.Reference)
	}
	b = binary.AppendUvarint(b, uint64(len(wl)))
	for _, w := range wl {
		b = appendLenString(b, w)
	}
	return b
}

// overlayReader reads an encoded overlay, remembering the first error.
type overlayReader struct {
	b   []byte
	err error
}

func (r *overlayReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", ErrBadOverlay, fmt.Sprintf(format, args...))
	}
}

func (r *overlayReader) count(what string) int {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("bad %s count", what)
		return 0
	}
	r.b = r.b[n:]
	// Every entry takes at least one byte, so a count beyond the bytes left is a lie;
	// checking it first keeps a forged count from allocating.
	if v > MaxOverlayEntries || v > uint64(len(r.b)) {
		r.fail("%d %s: more than the data holds or %d", v, what, MaxOverlayEntries)
		return 0
	}
	return int(v)
}

func (r *overlayReader) str(what string) string {
	if r.err != nil {
		return ""
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 || v > maxOverlayString || v > uint64(len(r.b)-n) {
		r.fail("bad %s length", what)
		return ""
	}
	s := r.b[n : n+int(v)]
	r.b = r.b[n+int(v):]
	if !utf8.Valid(s) {
		r.fail("%s is not UTF-8", what)
		return ""
	}
	return string(s)
}

// DecodeOverlay decodes EncodeOverlay's output. It refuses, with an error wrapping
// ErrBadOverlay, anything else: another magic or version, truncated or trailing data,
// counts or strings over their bounds, strings that are not UTF-8, empty keys or
// entries, and entries out of order or repeated.
func DecodeOverlay(data []byte) (*Overlay, error) {
	if !bytes.HasPrefix(data, []byte(overlayMagic)) || len(data) < len(overlayMagic)+1 {
		return nil, fmt.Errorf("%w: no header", ErrBadOverlay)
	}
	if v := data[len(overlayMagic)]; v != overlayVersion {
		return nil, fmt.Errorf("%w: format version %d, this build reads version %d", ErrBadOverlay, v, overlayVersion)
	}
	r := &overlayReader{b: data[len(overlayMagic)+1:]}
	o := &Overlay{}
	if n := r.count("trails"); n > 0 {
		o.Trails = make([]OverlayTrail, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			t := OverlayTrail{Key: r.str("trail"), Info: r.str("info"), Reference: r.str("reference")}
			if r.err == nil && t.Key == "" {
				r.fail("trail %d is empty", i+1)
			}
			if r.err == nil && i > 0 && t.Key <= o.Trails[i-1].Key {
				r.fail("trail %d (%.40q) out of order or repeated", i+1, t.Key)
			}
			o.Trails = append(o.Trails, t)
		}
	}
	if n := r.count("whitelist entries"); n > 0 {
		o.Whitelist = make([]string, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			w := r.str("whitelist entry")
			if r.err == nil && w == "" {
				r.fail("whitelist entry %d is empty", i+1)
			}
			if r.err == nil && i > 0 && w <= o.Whitelist[i-1] {
				r.fail("whitelist entry %d (%.40q) out of order or repeated", i+1, w)
			}
			o.Whitelist = append(o.Whitelist, w)
		}
	}
	if r.err == nil && len(r.b) > 0 {
		r.fail("%d bytes after the end", len(r.b))
	}
	if r.err != nil {
		return nil, r.err
	}
	return o, nil
}
