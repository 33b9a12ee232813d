package pyre

// acMatcher is an Aho-Corasick automaton over the bytes of Canon-folded
// literals, compiled to a dense DFA over byte classes. Each literal carries
// the index of the pattern that requires it.
type acMatcher struct {
	classes int       // number of byte classes (class 0: bytes in no literal)
	classOf [256]byte // input byte -> class; 'a'-'z' share 'A'-'Z' classes
	// delta[state*classes + class] is the next state premultiplied by
	// classes, negated when that state reports patterns: one load and one
	// sign test per input byte.
	delta    []int32
	outStart []int32 // state -> start of its outputs in outs (len states+1)
	outs     []int32 // pattern indexes
}

// newACMatcher builds the automaton; lits[i] are the literals of pattern
// owners[i].
func newACMatcher(lits []string, owners []int) *acMatcher {
	m := &acMatcher{}
	var used [256]bool
	for _, l := range lits {
		for i := 0; i < len(l); i++ {
			used[l[i]] = true
		}
	}
	m.classes = 1
	for b := 0; b < 256; b++ {
		if used[b] {
			m.classOf[b] = byte(m.classes)
			m.classes++
		}
	}
	// Input is matched case-insensitively in ASCII: fold a-z onto A-Z (the
	// literals are Canon-folded, so they hold no lower-case ASCII letters).
	for b := 'a'; b <= 'z'; b++ {
		m.classOf[b] = m.classOf[b-'a'+'A']
	}

	// Trie with sparse edges.
	type trieNode struct {
		next map[byte]int32
		out  []int32
	}
	trie := []trieNode{{next: map[byte]int32{}}}
	for i, l := range lits {
		s := int32(0)
		for j := 0; j < len(l); j++ {
			c := m.classOf[l[j]]
			nx, ok := trie[s].next[c]
			if !ok {
				nx = int32(len(trie))
				trie = append(trie, trieNode{next: map[byte]int32{}})
				trie[s].next[c] = nx
			}
			s = nx
		}
		trie[s].out = append(trie[s].out, int32(owners[i]))
	}

	// Breadth-first: failure links, then dense transitions and merged
	// outputs (a state reports everything its failure chain reports).
	n := len(trie)
	fail := make([]int32, n)
	m.delta = make([]int32, n*m.classes)
	outs := make([][]int32, n)
	queue := []int32{0}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		outs[s] = append(append([]int32(nil), trie[s].out...), outs[fail[s]]...)
		if s == 0 {
			outs[s] = trie[s].out
		}
		for c := 0; c < m.classes; c++ {
			nx, ok := trie[s].next[byte(c)]
			switch {
			case ok:
				if s == 0 {
					fail[nx] = 0
				} else {
					fail[nx] = m.delta[int(fail[s])*m.classes+c]
				}
				m.delta[int(s)*m.classes+c] = nx
				queue = append(queue, nx)
			case s == 0:
				m.delta[c] = 0
			default:
				m.delta[int(s)*m.classes+c] = m.delta[int(fail[s])*m.classes+c]
			}
		}
	}
	m.outStart = make([]int32, n+1)
	for s := 0; s < n; s++ {
		m.outStart[s+1] = m.outStart[s] + int32(len(outs[s]))
		m.outs = append(m.outs, outs[s]...)
	}
	for i, nx := range m.delta {
		v := nx * int32(m.classes)
		if len(outs[nx]) > 0 {
			v = -v - 1 // -1 keeps state 0 distinguishable
		}
		m.delta[i] = v
	}
	return m
}

// mark sets bit i of bits for every pattern i with a literal in s.
func (m *acMatcher) mark(s []byte, bits []uint64) {
	st := int32(0)
	for _, b := range s {
		st = m.step(st, b, bits)
	}
}

// markString is mark for a string, without converting it.
func (m *acMatcher) markString(s string, bits []uint64) {
	st := int32(0)
	for i := 0; i < len(s); i++ {
		st = m.step(st, s[i], bits)
	}
}

// step moves from st (premultiplied) on b, marking the patterns the new
// state reports.
func (m *acMatcher) step(st int32, b byte, bits []uint64) int32 {
	nx := m.delta[st+int32(m.classOf[b])]
	if nx >= 0 {
		return nx
	}
	nx = -nx - 1
	state := nx / int32(m.classes)
	for _, p := range m.outs[m.outStart[state]:m.outStart[state+1]] {
		bits[p>>6] |= 1 << (p & 63)
	}
	return nx
}
