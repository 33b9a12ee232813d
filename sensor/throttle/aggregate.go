package throttle

import (
	"slices"
	"strings"

	"github.com/spoorsec/spoor/event"
)

// The columns that Maltrail's flush_condensed_events merges into sorted,
// comma-joined sets when they differ within a group.
const (
	colSrcPort = iota
	colDstIP
	colDstPort
	colProto
	numCols
)

func column(e *event.Event, i int) *string {
	switch i {
	case colSrcPort:
		return &e.SrcPort
	case colDstIP:
		return &e.DstIP
	case colDstPort:
		return &e.DstPort
	}
	return &e.Proto
}

// aggregate folds events of one group into one: the first event's columns,
// except that a column whose value varies becomes the sorted, comma-joined
// set of its values, and Count the number of events folded.
//
// Values are split on commas before joining, so folding events that are
// themselves condensed lines ("22,23") does not nest lists. A set keeps at
// most max values; Count stays exact beyond that.
type aggregate struct {
	first event.Event
	count int
	sets  [numCols]map[string]struct{} // nil while the column is constant
}

// weight is how many detections e stands for.
func weight(e *event.Event) int {
	return max(e.Count, 1)
}

func (a *aggregate) add(e *event.Event, maxValues int) {
	if a.count == 0 {
		a.first = cloneEvent(e)
		a.count = weight(e)
		return
	}
	a.count += weight(e)
	for i := range numCols {
		v, first := *column(e, i), *column(&a.first, i)
		if v == first {
			continue // already in the set, if there is one
		}
		if a.sets[i] == nil {
			a.sets[i] = make(map[string]struct{})
			addValues(a.sets[i], first, maxValues)
		}
		addValues(a.sets[i], v, maxValues)
	}
}

func addValues(set map[string]struct{}, v string, maxValues int) {
	for part := range strings.SplitSeq(v, ",") {
		if part == "" {
			part = "-" // how Maltrail shows a missing port or address
		}
		if _, ok := set[part]; ok || len(set) >= maxValues {
			continue
		}
		set[strings.Clone(part)] = struct{}{}
	}
}

// event returns the folded event.
func (a *aggregate) event() event.Event {
	e := a.first
	e.Count = a.count
	for i, set := range a.sets {
		if set == nil {
			continue
		}
		values := make([]string, 0, len(set))
		for v := range set {
			values = append(values, v)
		}
		slices.SortFunc(values, compareValues)
		*column(&e, i) = strings.Join(values, ",")
	}
	return e
}

// compareValues orders like Python's sorted() on Maltrail's values: ports
// numerically, text (addresses, protocols) by code point. Python cannot
// compare the int ports with the "-" of a portless event and loses the
// whole flush; here text sorts before numbers instead.
func compareValues(a, b string) int {
	an, bn := isNumber(a), isNumber(b)
	switch {
	case an && bn:
		if len(a) != len(b) {
			return len(a) - len(b)
		}
		return strings.Compare(a, b)
	case an:
		return 1
	case bn:
		return -1
	}
	return strings.Compare(a, b)
}

// isNumber reports whether s is a decimal without leading zeros.
func isNumber(s string) bool {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// cloneEvent copies e with its own strings, so a held event does not pin
// (or alias) the caller's buffers.
func cloneEvent(e *event.Event) event.Event {
	c := *e
	for _, p := range []*string{
		&c.Sensor, &c.SrcIP, &c.SrcPort, &c.DstIP, &c.DstPort, &c.Proto, &c.Trail, &c.Info, &c.Reference,
		&c.Context.HTTPMethod, &c.Context.HTTPHost, &c.Context.HTTPURI, &c.Context.HTTPUserAgent,
		&c.Context.TLSSNI, &c.Context.JA4, &c.Context.CertSHA1,
	} {
		*p = strings.Clone(*p)
	}
	c.Type = event.Type(strings.Clone(string(c.Type)))
	return c
}
