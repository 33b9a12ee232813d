package trails

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"unsafe"
)

// isCompiled reports whether data starts like a compiled trail file.
func isCompiled(data []byte) bool { return bytes.HasPrefix(data, []byte(compiledMagic)) }

// IsCompiled reports whether data starts like a compiled trail file (WriteCompiled).
func IsCompiled(data []byte) bool { return isCompiled(data) }

// readFileAligned reads a whole file into an 8-byte aligned buffer, so that a compiled
// file's tables can be used in place.
func readFileAligned(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	if size < 0 || uint64(size) > uint64(maxInt)-8 {
		return nil, fmt.Errorf("%s: file too large", path)
	}
	words := make([]uint64, (size+7)/8)
	if len(words) == 0 {
		return nil, nil
	}
	buf := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), size)
	if _, err := io.ReadFull(f, buf); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return buf, nil
}

const maxInt = int(^uint(0) >> 1)

var errCorrupt = errors.New("corrupt compiled trail file")

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errCorrupt, fmt.Sprintf(format, args...))
}

// loadCompiled decodes a compiled trail file and applies the load-time whitelist. buf
// must be 8-byte aligned and not change afterwards: the Set's big tables use it in place.
func loadCompiled(buf []byte, opts LoadOptions) (*Set, error) {
	s, err := decodeCompiled(buf, opts.logger())
	if err != nil {
		return nil, err
	}
	return s.withoutWhitelisted(opts.Whitelist, opts.logger())
}

// decodeCompiled checks a compiled file's header, checksum and every table index a
// lookup would follow, so that a damaged or forged file fails here instead of panicking
// in a lookup.
func decodeCompiled(buf []byte, log *slog.Logger) (*Set, error) {
	le := binary.LittleEndian
	if len(buf) < headerSize || !isCompiled(buf) {
		return nil, corrupt("no header")
	}
	if v := le.Uint16(buf[8:]); v != compiledVersion {
		return nil, fmt.Errorf("compiled trail file has format version %d, this build reads version %d: rebuild it with 'spoor trails update'", v, compiledVersion)
	}
	if n := le.Uint64(buf[24:]); n != uint64(len(buf)) {
		return nil, corrupt("length %d, header says %d (truncated?)", len(buf), n)
	}
	var zero [4]byte
	crc := crc32.Update(0, castagnoli, buf[:32])
	crc = crc32.Update(crc, castagnoli, zero[:])
	crc = crc32.Update(crc, castagnoli, buf[36:])
	if want := le.Uint32(buf[32:]); crc != want {
		return nil, corrupt("checksum %08x, header says %08x", crc, want)
	}
	secs, err := compiledDirectory(buf)
	if err != nil {
		return nil, err
	}

	meta := secs[secMeta]
	if len(meta) != 24 {
		return nil, corrupt("meta section of %d bytes", len(meta))
	}
	s := &Set{
		ip6:     make(map[netip.Addr]uint32),
		ip6port: make(map[netip.AddrPort]uint32),
		cidrKey: make(map[netip.Prefix]uint32),
	}
	if s.pairs, err = decodePairs(secs[secPairs]); err != nil {
		return nil, err
	}
	np := uint64(len(s.pairs))

	s.strs = strTable{
		seed:   le.Uint64(buf[16:]),
		arena:  secs[secStrArena],
		slots:  u64View(secs[secStrSlots]),
		filter: u64View(secs[secStrFilter]),
	}
	if err := validateStrTable(&s.strs, le.Uint64(meta), np); err != nil {
		return nil, err
	}
	s.ip4 = intTable{keys: u64View(secs[secIP4Keys]), vals: u32View(secs[secIP4Vals])}
	if err := validateIntTable(&s.ip4, le.Uint64(meta[8:]), np); err != nil {
		return nil, fmt.Errorf("IPv4 table: %w", err)
	}
	s.ip4port = intTable{keys: u64View(secs[secIP4PortKeys]), vals: u32View(secs[secIP4PortVals])}
	if err := validateIntTable(&s.ip4port, le.Uint64(meta[16:]), np); err != nil {
		return nil, fmt.Errorf("IPv4:port table: %w", err)
	}
	if err := s.decodeIP6(secs[secIP6], secs[secIP6Port], np); err != nil {
		return nil, err
	}
	if err := s.decodeCIDRs(secs[secCIDR], np); err != nil {
		return nil, err
	}
	if err := s.decodeWildcards(secs[secWildcards], np, log); err != nil {
		return nil, err
	}
	return s, nil
}

// compiledDirectory returns the sections by id, each checked to lie inside the file and
// to be aligned for in-place use.
func compiledDirectory(buf []byte) (map[uint32][]byte, error) {
	le := binary.LittleEndian
	n := le.Uint32(buf[12:])
	if n > maxSections {
		return nil, corrupt("%d sections", n)
	}
	dirEnd := uint64(headerSize + int(n)*dirEntrySize)
	if dirEnd > uint64(len(buf)) {
		return nil, corrupt("section directory past the end")
	}
	secs := make(map[uint32][]byte, n)
	for i := range int(n) {
		e := buf[headerSize+i*dirEntrySize:]
		id, off, size := le.Uint32(e), le.Uint64(e[8:]), le.Uint64(e[16:])
		if off < dirEnd || off%8 != 0 || off > uint64(len(buf)) || size > uint64(len(buf))-off {
			return nil, corrupt("section %d at %d+%d outside the file", id, off, size)
		}
		if _, dup := secs[id]; dup {
			return nil, corrupt("section %d twice", id)
		}
		secs[id] = buf[off : off+size : off+size]
	}
	for id := uint32(secMeta); id <= secWildcards; id++ {
		if _, ok := secs[id]; !ok {
			return nil, corrupt("section %d missing", id)
		}
	}
	for _, id := range []uint32{secStrSlots, secStrFilter, secIP4Keys, secIP4PortKeys} {
		if len(secs[id])%8 != 0 {
			return nil, corrupt("section %d is %d bytes, not a multiple of 8", id, len(secs[id]))
		}
	}
	for _, id := range []uint32{secIP4Vals, secIP4PortVals} {
		if len(secs[id])%4 != 0 {
			return nil, corrupt("section %d is %d bytes, not a multiple of 4", id, len(secs[id]))
		}
	}
	return secs, nil
}

// lenString reads a uvarint-length-prefixed string from b at *off.
func lenString(b []byte, off *int) (string, bool) {
	n, w := binary.Uvarint(b[*off:])
	if w <= 0 || n > uint64(len(b)-*off-w) {
		return "", false
	}
	start := *off + w
	*off = start + int(n)
	return string(b[start:*off]), true
}

func decodePairs(b []byte) ([]Entry, error) {
	if len(b) < 4 {
		return nil, corrupt("pairs section of %d bytes", len(b))
	}
	n := binary.LittleEndian.Uint32(b)
	// Each pair takes at least two bytes, which bounds the allocation by the file size.
	if n > maxPairs || uint64(n)*2 > uint64(len(b)) {
		return nil, corrupt("%d pairs in %d bytes", n, len(b))
	}
	pairs := make([]Entry, n)
	off := 4
	for i := range pairs {
		info, ok1 := lenString(b, &off)
		ref, ok2 := lenString(b, &off)
		if !ok1 || !ok2 {
			return nil, corrupt("pair %d truncated", i)
		}
		pairs[i] = Entry{info, ref}
	}
	return pairs, nil
}

// validateStrTable checks that the arena is a sequence of exactly n records and that
// every occupied slot points at the start of one and at an existing pair.
func validateStrTable(t *strTable, n, pairs uint64) error {
	if len(t.arena) == 0 || len(t.arena) > maxArenaBytes {
		return corrupt("key arena of %d bytes", len(t.arena))
	}
	// Record starts, for the slot check below: a bitmap of a few MB stays in cache where
	// decoding each slot's record would read the whole arena again in random order.
	starts := make([]uint64, len(t.arena)/64+1)
	records := uint64(0)
	for off := 1; off < len(t.arena); records++ {
		k, w := keyLen(t.arena, off)
		if w <= 0 || k > uint64(len(t.arena)-off-w) {
			return corrupt("key record at %d overruns the arena", off)
		}
		starts[off>>6] |= 1 << (off & 63)
		off += w + int(k)
	}
	if records != n {
		return corrupt("%d keys in the arena, meta says %d", records, n)
	}
	if n > 0 && uint64(len(t.slots)) <= n {
		return corrupt("%d string slots for %d keys", len(t.slots), n)
	}
	used := uint64(0)
	for _, s := range t.slots {
		if s == 0 {
			continue
		}
		used++
		if off := uint32(s); off >= uint32(len(t.arena)) || starts[off>>6]&(1<<(off&63)) == 0 {
			return corrupt("string slot points at no key record")
		}
		if s>>40 >= pairs {
			return corrupt("string slot refers to pair %d of %d", s>>40, pairs)
		}
	}
	if used != n {
		return corrupt("%d occupied string slots for %d keys", used, n)
	}
	if len(t.filter) == 0 {
		t.filter = nil // unfiltered: every lookup probes the table
	}
	t.n = int(n)
	return nil
}

// keyLen decodes the length prefix of the key record at off: the one-byte case inline,
// as nearly every key is shorter than 128 bytes (binary.Uvarint alone took a third of a
// compiled load).
func keyLen(arena []byte, off int) (uint64, int) {
	if c := arena[off]; c < 0x80 {
		return uint64(c), 1
	}
	return binary.Uvarint(arena[off:])
}

// validateIntTable checks an integer table's shape and pair references.
func validateIntTable(t *intTable, n, pairs uint64) error {
	if len(t.keys) != len(t.vals) {
		return corrupt("%d keys and %d values", len(t.keys), len(t.vals))
	}
	if n > 0 && uint64(len(t.keys)) <= n {
		return corrupt("%d slots for %d keys", len(t.keys), n)
	}
	used := uint64(0)
	for i, k := range t.keys {
		if k == 0 {
			continue
		}
		used++
		if uint64(t.vals[i]) >= pairs {
			return corrupt("slot refers to pair %d of %d", t.vals[i], pairs)
		}
	}
	if used != n {
		return corrupt("%d occupied slots for %d keys", used, n)
	}
	t.n = int(n)
	return nil
}

func (s *Set) decodeIP6(ip6, ip6port []byte, pairs uint64) error {
	le := binary.LittleEndian
	if len(ip6)%ip6RecSize != 0 || len(ip6port)%ip6PortRecSz != 0 {
		return corrupt("IPv6 sections of %d and %d bytes", len(ip6), len(ip6port))
	}
	for r := ip6; len(r) > 0; r = r[ip6RecSize:] {
		a := netip.AddrFrom16([16]byte(r[:16]))
		p := le.Uint32(r[16:])
		if uint64(p) >= pairs {
			return corrupt("IPv6 trail refers to pair %d of %d", p, pairs)
		}
		s.ip6[a] = p
	}
	for r := ip6port; len(r) > 0; r = r[ip6PortRecSz:] {
		a := netip.AddrFrom16([16]byte(r[:16]))
		p := le.Uint32(r[20:])
		if uint64(p) >= pairs {
			return corrupt("[IPv6]:port trail refers to pair %d of %d", p, pairs)
		}
		s.ip6port[netip.AddrPortFrom(a, le.Uint16(r[16:]))] = p
	}
	return nil
}

func (s *Set) decodeCIDRs(b []byte, pairs uint64) error {
	if len(b)%cidrRecSize != 0 {
		return corrupt("CIDR section of %d bytes", len(b))
	}
	for r := b; len(r) > 0; r = r[cidrRecSize:] {
		a := netip.AddrFrom16([16]byte(r[:16]))
		bits, is4 := int(r[16]), r[17] == 1
		if is4 {
			if !a.Is4In6() {
				return corrupt("IPv4 CIDR trail with an IPv6 address")
			}
			a = a.Unmap()
		}
		if bits > a.BitLen() {
			return corrupt("CIDR trail /%d", bits)
		}
		pair := binary.LittleEndian.Uint32(r[20:])
		if uint64(pair) >= pairs {
			return corrupt("CIDR trail refers to pair %d of %d", pair, pairs)
		}
		p := netip.PrefixFrom(a, bits)
		if _, dup := s.cidrKey[p]; dup {
			return corrupt("CIDR trail %s twice", p)
		}
		s.cidrs = append(s.cidrs, cidrTrail{p, pair})
		s.cidrKey[p] = pair
		s.cidr.put(p, pair)
	}
	s.cidr.finish()
	return nil
}

func (s *Set) decodeWildcards(b []byte, pairs uint64, log *slog.Logger) error {
	if len(b) < 4 {
		return corrupt("wildcard section of %d bytes", len(b))
	}
	n := binary.LittleEndian.Uint32(b)
	if n > maxWildcards {
		return corrupt("%d wildcard trails", n)
	}
	off := 4
	for range n {
		trail, ok := lenString(b, &off)
		if !ok || len(b)-off < 4 {
			return corrupt("wildcard trail truncated")
		}
		pair := binary.LittleEndian.Uint32(b[off:])
		off += 4
		if uint64(pair) >= pairs {
			return corrupt("wildcard trail refers to pair %d of %d", pair, pairs)
		}
		w, err := compileWildcard(trail)
		if err != nil {
			// Written by a build whose regexp engine accepted it; this one does not.
			log.Warn("wildcard trail does not compile, ignored", "trail", trail, "err", err)
			continue
		}
		w.pair = pair
		s.wild.add(w)
	}
	return nil
}

// withoutWhitelisted returns s, or when w whitelists some of its trails, a copy without
// them: the same rule as a trails.csv load, applied to the keys as the file stores them.
// Finding out is cheap (w's entries are looked up, not every trail checked against w),
// so a compiled file built with the same whitelist loads without a copy.
func (s *Set) withoutWhitelisted(w *Whitelist, log *slog.Logger) (*Set, error) {
	if w.Len() == 0 || !s.hasWhitelisted(w) {
		return s, nil
	}
	b := newSetBuilder(s.strs.seed, s.strs.n, len(s.strs.arena))
	var err error
	s.eachTrail(func(key string, pair uint32) {
		if err != nil || w.trailWhitelisted(key) {
			return
		}
		e := s.pairs[pair]
		err = b.add(key, b.pair(e.Info, e.Reference))
	})
	if err != nil {
		return nil, err
	}
	return b.finish(log), nil
}

// hasWhitelisted reports whether trailWhitelisted holds for any trail of s.
func (s *Set) hasWhitelisted(w *Whitelist) bool {
	for e := range w.exact {
		if _, ok := s.Lookup(e); ok {
			return true
		}
	}
	for _, k := range s.ip4.keys {
		if k != 0 && w.IP(addrFrom4(uint32(k-1))) {
			return true
		}
	}
	for a := range s.ip6 {
		if w.IP(a) {
			return true
		}
	}
	// Textual keys that are addresses only loosely ("010.1.2.3"): any stricter address
	// text would have been stored natively, and their exact text was looked up above.
	found := false
	s.strs.eachKey(func(k []byte) {
		if !found && len(k) > 0 && k[0] >= '0' && k[0] <= '9' {
			if v4, ok := parseLooseIPv4(unsafe.String(unsafe.SliceData(k), len(k))); ok {
				found = w.IP(addrFrom4(v4))
			}
		}
	})
	return found
}

// eachTrail calls fn with every trail's key, in the form and order WriteCSV writes:
// textual trails in load order, then IPv4, IPv4:port, IPv6 and [IPv6]:port trails in
// address order, then CIDR trails in load order.
func (s *Set) eachTrail(fn func(key string, pair uint32)) {
	s.strs.each(fn)
	s.ip4.each(func(k uint64, v uint32) { fn(addrFrom4(uint32(k)).String(), v) })
	s.ip4port.each(func(k uint64, v uint32) { fn(addrPortText(addrFrom4(uint32(k>>16)), uint16(k)), v) })
	for _, a := range sortedKeys(s.ip6, func(a, b netip.Addr) int { return a.Compare(b) }) {
		fn(addrText(a), s.ip6[a])
	}
	for _, ap := range sortedKeys(s.ip6port, func(a, b netip.AddrPort) int { return a.Compare(b) }) {
		fn(addrPortText(ap.Addr(), ap.Port()), s.ip6port[ap])
	}
	for _, c := range s.cidrs {
		fn(prefixText(c.prefix), c.pair)
	}
}
