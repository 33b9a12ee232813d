package ship

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func openSpool(tb testing.TB, dir string, o SpoolOptions) *Spool {
	tb.Helper()
	if o.Logger == nil {
		o.Logger = quiet
	}
	s, err := OpenSpool(dir, o)
	if err != nil {
		tb.Fatalf("OpenSpool: %v", err)
	}
	return s
}

func rec(i int) []byte {
	return []byte(fmt.Sprintf("record-%04d-%s", i, bytes.Repeat([]byte{'x'}, i%50)))
}

// drain takes every record not yet handed out, without acknowledging
// them. Next hands out what is there before it looks at its context, so a
// canceled context makes it return at once when nothing is left.
func drain(tb testing.TB, s *Spool) []Record {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out []Record
	for {
		r, err := s.Next(ctx)
		if errors.Is(err, context.Canceled) {
			return out
		}
		if err != nil {
			tb.Fatalf("Next: %v", err)
		}
		out = append(out, r)
	}
}

func checkRecords(tb testing.TB, got []Record, want ...int) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("got %d records, want %d", len(got), len(want))
	}
	for i, r := range got {
		if !bytes.Equal(r.Data, rec(want[i])) {
			tb.Fatalf("record %d: got %q, want %q", i, r.Data, rec(want[i]))
		}
	}
}

func seq(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func TestSpoolAppendAckReopen(t *testing.T) {
	dir := t.TempDir()
	s := openSpool(t, dir, SpoolOptions{SegmentBytes: 4096})
	for i := 0; i < 300; i++ {
		if err := s.Append(rec(i)); err != nil {
			t.Fatal(err)
		}
	}
	got := drain(t, s)
	checkRecords(t, got, seq(0, 300)...)
	for _, r := range got[:200] {
		if err := s.Ack(r.ID); err != nil {
			t.Fatal(err)
		}
	}
	if st := s.Stats(); st.Records != 100 {
		t.Errorf("pending records: got %d, want 100", st.Records)
	}
	if segs, _ := filepath.Glob(filepath.Join(dir, "*.seg")); len(segs) > 6 {
		t.Errorf("%d segments left after acknowledging two thirds: acknowledged segments not deleted", len(segs))
	}
	if err := s.Ack(got[0].ID); err == nil {
		t.Error("second Ack of a record: nil error, want one")
	}
	s.Close()

	s = openSpool(t, dir, SpoolOptions{SegmentBytes: 4096})
	defer s.Close()
	if st := s.Stats(); st.Records != 100 {
		t.Errorf("after reopen: pending records %d, want 100", st.Records)
	}
	checkRecords(t, drain(t, s), seq(200, 300)...)
}

func TestSpoolOutOfOrderAcks(t *testing.T) {
	dir := t.TempDir()
	s := openSpool(t, dir, SpoolOptions{})
	for i := 0; i < 5; i++ {
		s.Append(rec(i))
	}
	got := drain(t, s)
	for _, i := range []int{0, 2, 4} {
		s.Ack(got[i].ID)
	}
	if st := s.Stats(); st.Records != 2 {
		t.Errorf("pending: got %d, want 2", st.Records)
	}
	s.Close()
	// The cursor only passes the acknowledged prefix: 1..4 come back (2 and
	// 4 again: at least once).
	s = openSpool(t, dir, SpoolOptions{})
	defer s.Close()
	checkRecords(t, drain(t, s), 1, 2, 3, 4)
}

func TestSpoolBound(t *testing.T) {
	s := openSpool(t, t.TempDir(), SpoolOptions{MaxBytes: 64 << 10, SegmentBytes: 16 << 10})
	defer s.Close()
	big := bytes.Repeat([]byte{'y'}, 1000)
	n := 0
	for ; ; n++ {
		err := s.Append(big)
		if errors.Is(err, ErrFull) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if st := s.Stats(); st.DiskBytes > 64<<10 || n < 55 {
		t.Fatalf("full after %d records with %d bytes on disk: want about 60 and at most %d", n, st.DiskBytes, 64<<10)
	}
	// AppendWait blocks until acknowledgements make room.
	done := make(chan error, 1)
	go func() { done <- s.AppendWait(context.Background(), big) }()
	select {
	case err := <-done:
		t.Fatalf("AppendWait on a full spool returned at once: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	for _, r := range drain(t, s)[:30] {
		s.Ack(r.ID)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("AppendWait: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("AppendWait still blocked after acknowledgements freed segments")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	for s.Append(big) == nil {
	}
	if err := s.AppendWait(ctx, big); !errors.Is(err, ErrFull) {
		t.Errorf("AppendWait past its deadline: %v, want ErrFull", err)
	}
}

func TestSpoolLocked(t *testing.T) {
	dir := t.TempDir()
	s := openSpool(t, dir, SpoolOptions{})
	if _, err := OpenSpool(dir, SpoolOptions{Logger: quiet}); err == nil {
		t.Error("second OpenSpool of a locked directory succeeded")
	}
	s.Close()
	openSpool(t, dir, SpoolOptions{}).Close()
}

func TestSpoolDamagedCursor(t *testing.T) {
	dir := t.TempDir()
	s := openSpool(t, dir, SpoolOptions{})
	for i := 0; i < 4; i++ {
		s.Append(rec(i))
	}
	for _, r := range drain(t, s)[:2] {
		s.Ack(r.ID)
	}
	s.Close()
	if err := os.WriteFile(filepath.Join(dir, cursorName), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	s = openSpool(t, dir, SpoolOptions{})
	defer s.Close()
	checkRecords(t, drain(t, s), 0, 1, 2, 3)
}

// lastSegment returns the newest segment file of dir.
func lastSegment(tb testing.TB, dir string) string {
	segs, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	if len(segs) == 0 {
		tb.Fatal("no segment")
	}
	return segs[len(segs)-1]
}

// TestSpoolTornWrite cuts the newest segment at every byte of its last
// record: reopening recovers every earlier record, and appending works.
func TestSpoolTornWrite(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "src")
	s := openSpool(t, src, SpoolOptions{})
	for i := 0; i < 10; i++ {
		s.Append(rec(i))
	}
	s.Close()
	seg := lastSegment(t, src)
	full, _ := os.ReadFile(seg)
	last := len(full) - recHdrLen - len(rec(9))
	for cut := last; cut < len(full); cut++ {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			dir := filepath.Join(base, fmt.Sprint(cut))
			os.MkdirAll(dir, 0o700)
			os.WriteFile(filepath.Join(dir, filepath.Base(seg)), full[:cut], 0o600)
			s := openSpool(t, dir, SpoolOptions{})
			defer s.Close()
			if err := s.Append(rec(10)); err != nil {
				t.Fatal(err)
			}
			checkRecords(t, drain(t, s), append(seq(0, 9), 10)...)
		})
	}
}

func TestSpoolCorruptMiddle(t *testing.T) {
	dir := t.TempDir()
	s := openSpool(t, dir, SpoolOptions{SegmentBytes: 4096})
	for i := 0; i < 200; i++ {
		s.Append(rec(i))
	}
	s.Close()
	segs, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	if len(segs) < 3 {
		t.Fatalf("%d segments, want at least 3", len(segs))
	}
	// Flip a byte inside the first record of the first segment: its rest
	// is lost, the other segments are intact.
	b, _ := os.ReadFile(segs[0])
	b[segHdrLen+recHdrLen+2] ^= 0xff
	os.WriteFile(segs[0], b, 0o600)
	s = openSpool(t, dir, SpoolOptions{SegmentBytes: 4096})
	defer s.Close()
	got := drain(t, s)
	if st := s.Stats(); st.Lost != 1 {
		t.Errorf("lost segments: got %d, want 1", st.Lost)
	}
	if len(got) == 0 || len(got) >= 200 || !bytes.Equal(got[len(got)-1].Data, rec(199)) {
		t.Fatalf("got %d records ending %q: want the intact segments' records, through record 199", len(got), got[len(got)-1].Data)
	}
	for _, r := range got {
		s.Ack(r.ID)
	}
	if st := s.Stats(); st.Records != 0 {
		t.Errorf("pending after acknowledging all: %d, want 0", st.Records)
	}
}

func FuzzSpoolTornWrite(f *testing.F) {
	f.Add(uint16(100), uint16(0), byte(0))
	f.Add(uint16(30), uint16(20), byte(0xff))
	f.Add(uint16(9), uint16(8), byte(1))
	f.Fuzz(func(t *testing.T, cut, at uint16, xor byte) {
		dir := t.TempDir()
		s := openSpool(t, dir, SpoolOptions{Sync: SyncNone})
		for i := 0; i < 5; i++ {
			s.Append(rec(i))
		}
		s.Close()
		seg := lastSegment(t, dir)
		b, _ := os.ReadFile(seg)
		b = b[:int(cut)%(len(b)+1)]
		if len(b) > 0 {
			b[int(at)%len(b)] ^= xor
		}
		os.WriteFile(seg, b, 0o600)
		s, err := OpenSpool(dir, SpoolOptions{Logger: quiet, Sync: SyncNone})
		if err != nil {
			t.Fatalf("OpenSpool after damage: %v", err)
		}
		defer s.Close()
		got := drain(t, s)
		// Whatever survives is a prefix of what was written, possibly
		// missing a damaged record's rest... never an altered record.
		for i, r := range got {
			if !bytes.Equal(r.Data, rec(i)) {
				t.Fatalf("record %d: got %q, want %q", i, r.Data, rec(i))
			}
		}
		if err := s.Append(rec(99)); err != nil {
			t.Fatal(err)
		}
		if more := drain(t, s); len(more) != 1 || !bytes.Equal(more[0].Data, rec(99)) {
			t.Fatalf("append after recovery: got %d records, want record 99", len(more))
		}
	})
}
