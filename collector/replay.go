package collector

// replayWindowBits is how far below the highest sequence number seen a
// late datagram is still accepted (reordering on the way).
const replayWindowBits = 1024

// replayWindow remembers which sequence numbers of one key were accepted
// (the IPsec anti-replay scheme, RFC 4303 §3.4.3, with a wider bitmap).
type replayWindow struct {
	top  uint64 // highest accepted
	seen [replayWindowBits / 64]uint64
	used bool
}

// accept reports whether seq is new, and records it.
func (w *replayWindow) accept(seq uint64) bool {
	if !w.used {
		w.used, w.top = true, seq
		w.set(seq)
		return true
	}
	if seq > w.top {
		shift := seq - w.top
		if shift >= replayWindowBits {
			clear(w.seen[:])
		} else {
			for s := w.top + 1; s <= seq; s++ {
				w.clearBit(s)
			}
		}
		w.top = seq
		w.set(seq)
		return true
	}
	if w.top-seq >= replayWindowBits || w.get(seq) {
		return false
	}
	w.set(seq)
	return true
}

func (w *replayWindow) set(s uint64)      { w.seen[(s/64)%uint64(len(w.seen))] |= 1 << (s % 64) }
func (w *replayWindow) clearBit(s uint64) { w.seen[(s/64)%uint64(len(w.seen))] &^= 1 << (s % 64) }
func (w *replayWindow) get(s uint64) bool {
	return w.seen[(s/64)%uint64(len(w.seen))]&(1<<(s%64)) != 0
}
