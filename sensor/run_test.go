package sensor

import (
	"context"
	"errors"
	"testing"

	"github.com/spoorsec/spoor/sensor/capture"
)

// idleSource is a live link with no traffic: every read times out. It
// cancels the read's context at its second read.
type idleSource struct {
	reads  int
	cancel context.CancelFunc
}

func (s *idleSource) Next(*capture.Packet) error {
	if s.reads++; s.reads == 2 {
		s.cancel()
	}
	return capture.ErrTimeout
}

func (s *idleSource) Close() error { return nil }

// TestReadStopsOnIdleLink checks that a shutdown is seen at the next read
// timeout: on a quiet interface the sensor must stop within one capture
// timeout, not after a thousand of them (systemd kills it before that).
func TestReadStopsOnIdleLink(t *testing.T) {
	set := loadTrails(t, testdata(t, "pcaps", "maltrail", "trails.csv"))
	for _, workers := range []int{1, 2} {
		h := newHarness(t, set, DefaultConfig())
		ctx, cancel := context.WithCancel(context.Background())
		src := &idleSource{cancel: cancel}
		err := h.engine.Read(ctx, src, workers, h.stage)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%d workers: got %v, want context.Canceled", workers, err)
		}
		if src.reads > 3 {
			t.Errorf("%d workers: got %d reads after the shutdown began at read 2, want at most 3", workers, src.reads)
		}
	}
}
