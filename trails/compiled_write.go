package trails

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"net/netip"
	"os"
	"path/filepath"
)

type section struct {
	id   uint32
	data []byte
}

func align8(n int) int { return (n + 7) &^ 7 }

// WriteCompiled writes the set as a compiled trail file (see compiled.go), which Load
// recognises by its magic and loads in a fraction of the time a trails.csv takes.
func (s *Set) WriteCompiled(w io.Writer) error {
	secs := s.compiledSections()
	dirEnd := headerSize + len(secs)*dirEntrySize
	head := make([]byte, align8(dirEnd))
	copy(head, compiledMagic)
	binary.LittleEndian.PutUint16(head[8:], compiledVersion)
	binary.LittleEndian.PutUint32(head[12:], uint32(len(secs)))
	binary.LittleEndian.PutUint64(head[16:], s.strs.seed)
	off := len(head)
	for i, sec := range secs {
		e := head[headerSize+i*dirEntrySize:]
		binary.LittleEndian.PutUint32(e, sec.id)
		binary.LittleEndian.PutUint64(e[8:], uint64(off))
		binary.LittleEndian.PutUint64(e[16:], uint64(len(sec.data)))
		off = align8(off + len(sec.data))
	}
	binary.LittleEndian.PutUint64(head[24:], uint64(off))

	var pad [8]byte
	crc := crc32.Update(0, castagnoli, head)
	for _, sec := range secs {
		crc = crc32.Update(crc, castagnoli, sec.data)
		crc = crc32.Update(crc, castagnoli, pad[:align8(len(sec.data))-len(sec.data)])
	}
	binary.LittleEndian.PutUint32(head[32:], crc)

	if _, err := w.Write(head); err != nil {
		return fmt.Errorf("cannot write compiled trails: %w", err)
	}
	for _, sec := range secs {
		if _, err := w.Write(sec.data); err != nil {
			return fmt.Errorf("cannot write compiled trails: %w", err)
		}
		if _, err := w.Write(pad[:align8(len(sec.data))-len(sec.data)]); err != nil {
			return fmt.Errorf("cannot write compiled trails: %w", err)
		}
	}
	return nil
}

// compiledSections lays the set's tables out as file sections. The large tables are
// views of the set's own memory on little-endian hosts.
func (s *Set) compiledSections() []section {
	le := binary.LittleEndian
	meta := make([]byte, 24)
	le.PutUint64(meta, uint64(s.strs.n))
	le.PutUint64(meta[8:], uint64(s.ip4.n))
	le.PutUint64(meta[16:], uint64(s.ip4port.n))

	pairs := le.AppendUint32(nil, uint32(len(s.pairs)))
	for _, p := range s.pairs {
		pairs = appendLenString(pairs, p.Info)
		pairs = appendLenString(pairs, p.Reference)
	}

	ip6 := make([]byte, 0, len(s.ip6)*ip6RecSize)
	for _, a := range sortedKeys(s.ip6, func(a, b netip.Addr) int { return a.Compare(b) }) {
		b := a.As16()
		ip6 = le.AppendUint32(append(ip6, b[:]...), s.ip6[a])
	}
	ip6port := make([]byte, 0, len(s.ip6port)*ip6PortRecSz)
	for _, ap := range sortedKeys(s.ip6port, func(a, b netip.AddrPort) int { return a.Compare(b) }) {
		b := ap.Addr().As16()
		ip6port = le.AppendUint16(append(ip6port, b[:]...), ap.Port())
		ip6port = le.AppendUint32(le.AppendUint16(ip6port, 0), s.ip6port[ap])
	}
	cidrs := make([]byte, 0, len(s.cidrs)*cidrRecSize)
	for _, c := range s.cidrs {
		b := c.prefix.Addr().As16()
		cidrs = append(cidrs, b[:]...)
		cidrs = append(cidrs, byte(c.prefix.Bits()), btob(c.prefix.Addr().Is4()), 0, 0)
		cidrs = le.AppendUint32(cidrs, c.pair)
	}
	wild := le.AppendUint32(nil, uint32(len(s.wild.list)))
	for _, w := range s.wild.list {
		wild = le.AppendUint32(appendLenString(wild, w.trail), w.pair)
	}

	return []section{
		{secMeta, meta},
		{secPairs, pairs},
		{secStrArena, s.strs.arena},
		{secStrSlots, u64Bytes(s.strs.slots)},
		{secStrFilter, u64Bytes(s.strs.filter)},
		{secIP4Keys, u64Bytes(s.ip4.keys)},
		{secIP4Vals, u32Bytes(s.ip4.vals)},
		{secIP4PortKeys, u64Bytes(s.ip4port.keys)},
		{secIP4PortVals, u32Bytes(s.ip4port.vals)},
		{secIP6, ip6},
		{secIP6Port, ip6port},
		{secCIDR, cidrs},
		{secWildcards, wild},
	}
}

func appendLenString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func btob(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// SaveCompiled writes the set as a compiled trail file at path, atomically: readers see
// the old file or the new one, never a partial one.
func (s *Set) SaveCompiled(path string) error {
	return writeFileAtomic(path, s.WriteCompiled)
}

// SaveCSV writes the set as a Maltrail trails.csv at path, atomically.
func (s *Set) SaveCSV(path string) error {
	return writeFileAtomic(path, s.WriteCSV)
}

// writeFileAtomic writes a temporary file beside path, syncs it and renames it over path.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = write(f); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}
