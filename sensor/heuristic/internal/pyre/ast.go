package pyre

// kind is the type of a parsed pattern node.
type kind uint8

const (
	kLiteral   kind = iota // one code point: r
	kAny                   // .
	kClass                 // [...] or a category escape: items, negate
	kBegin                 // ^
	kEnd                   // $
	kBeginText             // \A
	kEndText               // \Z
	kWordB                 // \b
	kNonWordB              // \B
	kConcat                // subs in sequence
	kAlt                   // subs as alternatives
	kGroup                 // (...), (?:...), (?P<name>...), (?flags:...): subs[0]
	kLook                  // lookahead or lookbehind: subs[0]
	kAtomic                // (?>...): subs[0]
	kRepeat                // subs[0]{min,max}
	kBackref               // \N or (?P=name): group
	kCond                  // (?(group)yes|no): subs[0] yes, subs[1] no (may be nil)
)

// category is one of Python's class escapes (\d \D \s \S \w \W).
type category uint8

const (
	catNone category = iota
	catDigit
	catNotDigit
	catSpace
	catNotSpace
	catWord
	catNotWord
)

// negated reports whether c is an upper-case (complement) category.
func (c category) negated() bool {
	return c == catNotDigit || c == catNotSpace || c == catNotWord
}

// positive returns the non-negated form of c.
func (c category) positive() category {
	switch c {
	case catNotDigit:
		return catDigit
	case catNotSpace:
		return catSpace
	case catNotWord:
		return catWord
	}
	return c
}

// classItem is one member of a character class: a range lo..hi (a single
// code point has lo == hi) or a category.
type classItem struct {
	lo, hi rune
	cat    category
}

// unbounded is the max of an open repetition ({m,}, *, +).
const unbounded = -1

// node is one element of a parsed Python pattern.
type node struct {
	kind kind
	r    rune        // kLiteral
	subs []*node     // children
	cls  []classItem // kClass
	neg  bool        // kClass: [^...]; kLook: negative assertion

	// kGroup
	capture bool
	name    string
	add     Flags // scoped flags turned on
	del     Flags // scoped flags turned off

	behind bool // kLook: lookbehind

	// kRepeat
	min, max   int
	lazy       bool
	possessive bool

	group int // kBackref, kCond
}

// isAnchor reports whether n is one of the zero-width assertions Python
// refuses to repeat ("nothing to repeat").
func (n *node) isAnchor() bool {
	switch n.kind {
	case kBegin, kEnd, kBeginText, kEndText, kWordB, kNonWordB:
		return true
	}
	return false
}

// maxWidth is CPython's MAXWIDTH: an "unbounded" width.
const maxWidth = int64(1) << 62

// width returns the (min, max) number of code points n can match, as
// CPython's SubPattern.getwidth computes it for the look-behind check.
func (n *node) width(groupWidths [][2]int64) (int64, int64) {
	switch n.kind {
	case kLiteral, kAny, kClass:
		return 1, 1
	case kConcat:
		var lo, hi int64
		for _, s := range n.subs {
			l, h := s.width(groupWidths)
			lo, hi = capWidth(lo+l), capWidth(hi+h)
		}
		return lo, hi
	case kAlt:
		lo, hi := maxWidth, int64(0)
		for _, s := range n.subs {
			l, h := s.width(groupWidths)
			lo, hi = min(lo, l), max(hi, h)
		}
		return lo, hi
	case kGroup, kAtomic:
		return n.subs[0].width(groupWidths)
	case kRepeat:
		l, h := n.subs[0].width(groupWidths)
		lo := capWidth(l * int64(n.min))
		if n.max == unbounded {
			if h > 0 {
				return lo, maxWidth
			}
			return lo, 0
		}
		return lo, capWidth(h * int64(n.max))
	case kBackref:
		if n.group < len(groupWidths) {
			return groupWidths[n.group][0], groupWidths[n.group][1]
		}
	case kCond:
		l, h := n.subs[0].width(groupWidths)
		if n.subs[1] != nil {
			l2, h2 := n.subs[1].width(groupWidths)
			return min(l, l2), max(h, h2)
		}
		return 0, h
	}
	return 0, 0
}

func capWidth(v int64) int64 {
	if v > maxWidth || v < 0 {
		return maxWidth
	}
	return v
}
