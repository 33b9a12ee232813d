package ship

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Spool layout. A spool directory holds segment files named by their
// sequence number (%016x.seg), a cursor file, and a lock file.
//
//	segment: "SPS1" 0 0 0 0, then records
//	record:  length uint32 LE, CRC-32C of the payload uint32 LE, payload
//	cursor:  segment uint64 LE, offset uint64 LE, CRC-32C of both uint32 LE
//
// Records are only ever appended; the cursor names the first record not
// yet acknowledged. A segment is deleted once the cursor has passed it.
//
// Durability: with SyncAlways (the default) Append returns only after the
// record is fsynced, so an acknowledged Append survives a power cut; with
// SyncNone it survives a crash of the process (the page cache keeps it) but
// not of the machine. The cursor is written to a temporary file, fsynced
// and renamed over the old one. A lost or torn cursor is detected by its
// CRC and the spool restarts from its oldest segment: records are sent
// again, and the collector's batch-ID deduplication makes that harmless.
//
// Recovery on open: segments are scanned from the cursor; the newest
// segment is truncated after its last intact record (a torn write from a
// crash), and the rest of an older segment after a damaged record is
// skipped and counted as lost.
const (
	segSuffix   = ".seg"
	cursorName  = "cursor"
	lockName    = "lock"
	segHdrLen   = 8
	recHdrLen   = 8
	cursorLen   = 20
	maxRecordMB = 64
)

var segMagic = [segHdrLen]byte{'S', 'P', 'S', '1'}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// SyncPolicy says when the spool fsyncs appended records.
type SyncPolicy int

const (
	// SyncAlways fsyncs every record before Append returns.
	SyncAlways SyncPolicy = iota
	// SyncNone leaves writing back to the operating system.
	SyncNone
)

// ErrFull is returned by Append when the record does not fit the spool's
// size bound.
var ErrFull = errors.New("spool: full")

// ErrClosed is returned after Close.
var ErrClosed = errors.New("spool: closed")

// SpoolOptions configure a Spool.
type SpoolOptions struct {
	// MaxBytes bounds the segment files' total size (default 256 MiB).
	MaxBytes int64
	// SegmentBytes is the size at which a new segment starts (default
	// 8 MiB, at most MaxBytes/4).
	SegmentBytes int64
	Sync         SyncPolicy
	Logger       *slog.Logger
}

// Record is a spooled record handed out by Next.
type Record struct {
	ID   RecordID
	Data []byte
}

// RecordID locates a record: its segment and offset.
type RecordID struct {
	Seg uint64
	Off int64
}

func (id RecordID) less(o RecordID) bool {
	return id.Seg < o.Seg || id.Seg == o.Seg && id.Off < o.Off
}

type segment struct {
	seq  uint64
	f    *os.File // read handle
	size int64    // bytes written and committed
}

// Spool is a bounded FIFO of records on disk, safe for concurrent use:
// writers Append, senders take records with Next and Ack them, in any
// order; the cursor moves over the acknowledged prefix.
type Spool struct {
	dir  string
	opts SpoolOptions
	log  *slog.Logger
	lock *os.File

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every state change
	closed  bool
	segs    []*segment // oldest first; the last is written to
	w       *os.File   // append handle of the last segment
	total   int64      // bytes of all segment files
	cursor  RecordID   // first unacknowledged record
	next    RecordID   // next record Next hands out
	out     []outRecord
	pending int      // records at or after cursor, not acknowledged
	pendSz  int64    // their bytes
	lost    int      // records skipped as damaged since open
	openEnd RecordID // end of the records found at open
	broken  error    // a failed write could not be undone: refuse appends
}

type outRecord struct {
	id, end RecordID
	size    int64
	acked   bool
}

// OpenSpool opens (creating if needed) the spool in dir, locks it against
// other processes, and recovers it.
func OpenSpool(dir string, o SpoolOptions) (*Spool, error) {
	if o.MaxBytes <= 0 {
		o.MaxBytes = 256 << 20
	}
	if o.SegmentBytes <= 0 {
		o.SegmentBytes = 8 << 20
	}
	o.SegmentBytes = max(min(o.SegmentBytes, o.MaxBytes/4), 4096)
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool: cannot create %s: %w", dir, err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, lockName), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("spool: cannot open lock file: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return nil, fmt.Errorf("spool: %s is in use by another process: %w", dir, err)
	}
	s := &Spool{dir: dir, opts: o, log: o.Logger.With("component", "spool", "dir", dir), lock: lock, changed: make(chan struct{})}
	if err := s.recover(); err != nil {
		s.closeFiles()
		return nil, err
	}
	return s, nil
}

// recover loads segments and the cursor and repairs torn tails.
func (s *Spool) recover() error {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("spool: cannot list %s: %w", s.dir, err)
	}
	var seqs []uint64
	for _, e := range entries {
		name := e.Name()
		if n, ok := strings.CutSuffix(name, segSuffix); ok {
			if seq, err := strconv.ParseUint(n, 16, 64); err == nil && len(n) == 16 {
				seqs = append(seqs, seq)
			}
		}
		if strings.HasSuffix(name, ".tmp") {
			os.Remove(filepath.Join(s.dir, name))
		}
	}
	slices.Sort(seqs)
	cur, ok := s.readCursor()
	if !ok && len(seqs) > 0 {
		cur = RecordID{Seg: seqs[0], Off: segHdrLen}
		s.log.Warn("spool cursor missing or damaged: resending from the oldest segment (the collector drops duplicates)")
	}
	for i, seq := range seqs {
		if seq < cur.Seg {
			// Acknowledged before a crash that came before its deletion.
			if err := os.Remove(s.segPath(seq)); err != nil {
				return fmt.Errorf("spool: cannot remove acknowledged segment: %w", err)
			}
			continue
		}
		from := int64(segHdrLen)
		if seq == cur.Seg {
			from = cur.Off
		}
		if err := s.loadSegment(seq, from, i == len(seqs)-1); err != nil {
			return err
		}
	}
	if len(s.segs) == 0 {
		seq := cur.Seg
		if len(seqs) > 0 {
			seq = max(seq, seqs[len(seqs)-1]+1)
		}
		cur = RecordID{Seg: seq, Off: segHdrLen}
		if err := s.newSegment(seq); err != nil {
			return err
		}
	} else {
		last := s.segs[len(s.segs)-1]
		w, err := os.OpenFile(s.segPath(last.seq), os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("spool: cannot open segment for writing: %w", err)
		}
		if _, err := w.Seek(last.size, io.SeekStart); err != nil {
			w.Close()
			return fmt.Errorf("spool: %w", err)
		}
		s.w = w
	}
	if cur.Seg < s.segs[0].seq || cur.Seg == s.segs[0].seq && cur.Off < segHdrLen {
		cur = RecordID{Seg: s.segs[0].seq, Off: segHdrLen}
	}
	s.cursor, s.next = cur, cur
	last := s.segs[len(s.segs)-1]
	s.openEnd = RecordID{Seg: last.seq, Off: last.size}
	if !ok {
		if err := s.writeCursor(); err != nil {
			return err
		}
	}
	if s.pending > 0 {
		s.log.Info("spool recovered", "records", s.pending, "bytes", s.pendSz)
	}
	return nil
}

// loadSegment opens segment seq, validates its records from offset from
// on and adds it to the spool. The newest segment (last) is cut after its
// last intact record; an older one keeps its damaged rest, skipped.
func (s *Spool) loadSegment(seq uint64, from int64, last bool) error {
	path := s.segPath(seq)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("spool: cannot open segment: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("spool: %w", err)
	}
	size := st.Size()
	var hdr [segHdrLen]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil || hdr != segMagic {
		// Not even a header (a crash right after creating it): the segment
		// holds nothing.
		f.Close()
		s.log.Warn("spool segment without header: removing it", "segment", filepath.Base(path), "bytes", size)
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("spool: cannot remove empty segment: %w", err)
		}
		return nil
	}
	good := min(max(from, segHdrLen), size)
	for {
		data, next, ok := readRecord(f, good, nil)
		if !ok {
			break
		}
		s.pending++
		s.pendSz += int64(len(data))
		good = next
	}
	if good < size {
		if last {
			s.log.Warn("spool segment ends in a torn record: truncating it", "segment", filepath.Base(path),
				"kept_bytes", good, "dropped_bytes", size-good)
			if err := f.Truncate(good); err != nil {
				f.Close()
				return fmt.Errorf("spool: cannot truncate torn segment: %w", err)
			}
			size = good
		} else {
			s.lost++
			s.log.Error("spool segment damaged: skipping its rest", "segment", filepath.Base(path), "lost_bytes", size-good)
		}
	}
	s.total += size
	s.segs = append(s.segs, &segment{seq: seq, f: f, size: good})
	return nil
}

// readRecord reads the record at off, checking its CRC.
func readRecord(f *os.File, off int64, buf []byte) (data []byte, next int64, ok bool) {
	var h [recHdrLen]byte
	if _, err := f.ReadAt(h[:], off); err != nil {
		return nil, 0, false
	}
	n := binary.LittleEndian.Uint32(h[:4])
	if n == 0 || n > maxRecordMB<<20 {
		return nil, 0, false
	}
	if cap(buf) < int(n) {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := f.ReadAt(buf, off+recHdrLen); err != nil {
		return nil, 0, false
	}
	if crc32.Checksum(buf, crcTable) != binary.LittleEndian.Uint32(h[4:]) {
		return nil, 0, false
	}
	return buf, off + recHdrLen + int64(n), true
}

func (s *Spool) segPath(seq uint64) string {
	return filepath.Join(s.dir, fmt.Sprintf("%016x%s", seq, segSuffix))
}

// newSegment starts segment seq and makes it the write segment.
func (s *Spool) newSegment(seq uint64) error {
	path := s.segPath(seq)
	w, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("spool: cannot create segment: %w", err)
	}
	if _, err := w.Write(segMagic[:]); err != nil {
		w.Close()
		return fmt.Errorf("spool: cannot write segment: %w", err)
	}
	r, err := os.Open(path)
	if err != nil {
		w.Close()
		return fmt.Errorf("spool: cannot open segment: %w", err)
	}
	if s.w != nil {
		s.w.Close()
	}
	s.w = w
	s.segs = append(s.segs, &segment{seq: seq, f: r, size: segHdrLen})
	s.total += segHdrLen
	return nil
}

// Append adds a record. It returns ErrFull, writing nothing, when the
// record would take the spool over MaxBytes.
func (s *Spool) Append(rec []byte) error {
	if len(rec) == 0 || len(rec) > maxRecordMB<<20 {
		return fmt.Errorf("spool: record of %d bytes (1 byte to %d MiB allowed)", len(rec), maxRecordMB)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.broken != nil {
		return s.broken
	}
	need := int64(recHdrLen + len(rec))
	last := s.segs[len(s.segs)-1]
	roll := last.size > segHdrLen && last.size+need > s.opts.SegmentBytes
	if roll {
		need += segHdrLen
	}
	if s.total+need > s.opts.MaxBytes {
		return ErrFull
	}
	if roll {
		if err := s.newSegment(last.seq + 1); err != nil {
			return err
		}
		last = s.segs[len(s.segs)-1]
	}
	buf := make([]byte, recHdrLen, recHdrLen+len(rec))
	binary.LittleEndian.PutUint32(buf[:4], uint32(len(rec)))
	binary.LittleEndian.PutUint32(buf[4:], crc32.Checksum(rec, crcTable))
	buf = append(buf, rec...)
	if _, err := s.w.Write(buf); err != nil {
		// A short write leaves a torn record: cut it off so later records
		// stay readable, or stop appending if that fails too.
		werr := fmt.Errorf("spool: cannot append: %w", err)
		if terr := s.w.Truncate(last.size); terr != nil {
			s.broken = fmt.Errorf("spool: unusable after a failed write (reopen to recover): %w", terr)
		} else if _, serr := s.w.Seek(last.size, io.SeekStart); serr != nil {
			s.broken = fmt.Errorf("spool: unusable after a failed write (reopen to recover): %w", serr)
		}
		return werr
	}
	if s.opts.Sync == SyncAlways {
		if err := s.w.Sync(); err != nil {
			return fmt.Errorf("spool: cannot sync: %w", err)
		}
	}
	last.size += int64(len(buf))
	s.total += int64(len(buf))
	s.pending++
	s.pendSz += int64(len(rec))
	s.notify()
	return nil
}

// AppendWait is Append that waits for room while the spool is full, until
// ctx is done.
func (s *Spool) AppendWait(ctx context.Context, rec []byte) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		err := s.Append(rec)
		if !errors.Is(err, ErrFull) || int64(len(rec)+recHdrLen+segHdrLen) > s.opts.MaxBytes {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-ch:
		}
	}
}

// notify wakes everyone waiting for a change; s.mu is held.
func (s *Spool) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Next returns the next record not yet handed out, waiting for one until
// ctx is done. Data is the caller's. Each record is handed out once per
// open: the caller must eventually Ack it (or the spool resends it only
// after being reopened).
func (s *Spool) Next(ctx context.Context) (Record, error) {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return Record{}, ErrClosed
		}
		rec, ok, err := s.nextLocked()
		ch := s.changed
		s.mu.Unlock()
		if ok || err != nil {
			return rec, err
		}
		select {
		case <-ctx.Done():
			return Record{}, ctx.Err()
		case <-ch:
		}
	}
}

func (s *Spool) nextLocked() (Record, bool, error) {
	for i, seg := range s.segs {
		if seg.seq < s.next.Seg {
			continue
		}
		if seg.seq > s.next.Seg {
			s.next = RecordID{Seg: seg.seq, Off: segHdrLen}
		}
		if s.next.Off >= seg.size {
			if i == len(s.segs)-1 {
				return Record{}, false, nil
			}
			continue
		}
		data, end, ok := readRecord(seg.f, s.next.Off, nil)
		if !ok || end > seg.size {
			// Damaged after recovery (disk fault): skip the segment's rest.
			s.lost++
			s.log.Error("spool record unreadable: skipping the rest of its segment", "segment", seg.seq, "offset", s.next.Off)
			s.next.Off = seg.size
			s.out = append(s.out, outRecord{id: s.next, end: s.next, acked: true})
			s.recount()
			continue
		}
		id := s.next
		s.next.Off = end
		s.out = append(s.out, outRecord{id: id, end: RecordID{Seg: seg.seq, Off: end}, size: int64(len(data))})
		return Record{ID: id, Data: data}, true, nil
	}
	return Record{}, false, nil
}

// recount recomputes the pending records after records were lost: those
// handed out and not acknowledged, and those not handed out yet.
func (s *Spool) recount() {
	s.pending, s.pendSz = 0, 0
	for _, o := range s.out {
		if !o.acked {
			s.pending++
			s.pendSz += o.size
		}
	}
	for _, seg := range s.segs {
		if seg.seq < s.next.Seg {
			continue
		}
		off := int64(segHdrLen)
		if seg.seq == s.next.Seg {
			off = s.next.Off
		}
		for off < seg.size {
			data, end, ok := readRecord(seg.f, off, nil)
			if !ok || end > seg.size {
				break
			}
			s.pending++
			s.pendSz += int64(len(data))
			off = end
		}
	}
}

// FromEarlierOpen reports whether record id was in the spool when it was
// opened (left by an earlier run, which may have delivered it).
func (s *Spool) FromEarlierOpen(id RecordID) bool { return id.less(s.openEnd) }

// Ack marks a record handed out by Next as done: delivered, or given up
// on. The cursor advances over the acknowledged prefix, and segments
// behind it are deleted.
func (s *Spool) Ack(id RecordID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	i := sort.Search(len(s.out), func(i int) bool { return !s.out[i].id.less(id) })
	if i == len(s.out) || s.out[i].id != id || s.out[i].acked {
		return fmt.Errorf("spool: ack of unknown record %v", id)
	}
	s.out[i].acked = true
	s.pending--
	s.pendSz -= s.out[i].size
	k := 0
	for k < len(s.out) && s.out[k].acked {
		k++
	}
	if k == 0 {
		s.notify()
		return nil
	}
	s.cursor = s.out[k-1].end
	s.out = s.out[k:]
	err := s.writeCursor()
	s.dropSegments()
	s.notify()
	return err
}

// dropSegments deletes segments wholly behind the cursor (never the write
// segment).
func (s *Spool) dropSegments() {
	for len(s.segs) > 1 {
		seg := s.segs[0]
		if s.cursor.Seg == seg.seq && s.cursor.Off < seg.size || s.cursor.Seg < seg.seq {
			return
		}
		seg.f.Close()
		if err := os.Remove(s.segPath(seg.seq)); err != nil {
			s.log.Error("cannot delete spool segment", "err", err)
		}
		s.total -= seg.size
		s.segs = s.segs[1:]
		if s.cursor.Seg == seg.seq {
			s.cursor = RecordID{Seg: s.segs[0].seq, Off: segHdrLen}
		}
	}
}

func (s *Spool) writeCursor() error {
	var b [cursorLen]byte
	binary.LittleEndian.PutUint64(b[:8], s.cursor.Seg)
	binary.LittleEndian.PutUint64(b[8:16], uint64(s.cursor.Off))
	binary.LittleEndian.PutUint32(b[16:], crc32.Checksum(b[:16], crcTable))
	tmp := filepath.Join(s.dir, cursorName+".tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("spool: cannot write cursor: %w", err)
	}
	_, err = f.Write(b[:])
	if err == nil && s.opts.Sync == SyncAlways {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(s.dir, cursorName))
	}
	if err != nil {
		return fmt.Errorf("spool: cannot write cursor: %w", err)
	}
	return nil
}

func (s *Spool) readCursor() (RecordID, bool) {
	b, err := os.ReadFile(filepath.Join(s.dir, cursorName))
	if err != nil || len(b) != cursorLen || crc32.Checksum(b[:16], crcTable) != binary.LittleEndian.Uint32(b[16:]) {
		return RecordID{}, false
	}
	return RecordID{Seg: binary.LittleEndian.Uint64(b[:8]), Off: int64(binary.LittleEndian.Uint64(b[8:16]))}, true
}

// SpoolStats describe a spool's contents.
type SpoolStats struct {
	// Records and Bytes are the records not yet acknowledged (payload
	// bytes); DiskBytes is the segment files' size.
	Records   int
	Bytes     int64
	DiskBytes int64
	// Lost counts damaged records skipped since open.
	Lost int
}

// Stats returns the spool's current contents.
func (s *Spool) Stats() SpoolStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return SpoolStats{Records: s.pending, Bytes: s.pendSz, DiskBytes: s.total, Lost: s.lost}
}

// Changed returns a channel closed at the spool's next change (append,
// ack, close): a way to wait for Stats to move.
func (s *Spool) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// Close closes the spool; records not acknowledged stay for the next
// open.
func (s *Spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.notify()
	return s.closeFiles()
}

func (s *Spool) closeFiles() error {
	var errs []error
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	for _, seg := range s.segs {
		errs = append(errs, seg.f.Close())
	}
	if s.lock != nil {
		errs = append(errs, s.lock.Close()) // releases the flock
	}
	return errors.Join(errs...)
}
