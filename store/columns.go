package store

import (
	"cmp"
	"slices"
	"time"
	"unsafe"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/tenant"
)

// textFields are the events' text fields as Maltrail writes them
// (addresses and ports included): EventColumns.Text's columns, in order.
var textFields = [...]struct {
	name  string
	field func(*StoredEvent) *string
}{
	{"sensor", func(e *StoredEvent) *string { return &e.Sensor }},
	{"src_ip", func(e *StoredEvent) *string { return &e.SrcIP }},
	{"src_port", func(e *StoredEvent) *string { return &e.SrcPort }},
	{"dst_ip", func(e *StoredEvent) *string { return &e.DstIP }},
	{"dst_port", func(e *StoredEvent) *string { return &e.DstPort }},
	{"proto", func(e *StoredEvent) *string { return &e.Proto }},
	{"type", func(e *StoredEvent) *string { return (*string)(&e.Type) }},
	{"trail", func(e *StoredEvent) *string { return &e.Trail }},
	{"info", func(e *StoredEvent) *string { return &e.Info }},
	{"reference", func(e *StoredEvent) *string { return &e.Reference }},
	{"http_method", func(e *StoredEvent) *string { return &e.Context.HTTPMethod }},
	{"http_host", func(e *StoredEvent) *string { return &e.Context.HTTPHost }},
	{"http_uri", func(e *StoredEvent) *string { return &e.Context.HTTPURI }},
	{"http_user_agent", func(e *StoredEvent) *string { return &e.Context.HTTPUserAgent }},
	{"tls_sni", func(e *StoredEvent) *string { return &e.Context.TLSSNI }},
	{"ja4", func(e *StoredEvent) *string { return &e.Context.JA4 }},
	{"cert_sha1", func(e *StoredEvent) *string { return &e.Context.CertSHA1 }},
	{"sensor_id", func(e *StoredEvent) *string { return &e.SensorID }},
}

// NumTextColumns is the number of text columns.
const NumTextColumns = len(textFields)

// TextColumns names EventColumns.Text's columns, in order.
var TextColumns = func() (names [NumTextColumns]string) {
	for k, f := range textFields {
		names[k] = f.name
	}
	return names
}()

// textColumn returns the position of the text column called name.
func textColumn(name string) int {
	for k, f := range textFields {
		if f.name == name {
			return k
		}
	}
	panic("BUG: no text column " + name)
}

// EventColumns is a page of a tenant's events column by column, each text
// column with its own dictionary: the shape the day stream sends, read
// without making a StoredEvent per row.
type EventColumns struct {
	Time     []int64 // microseconds since the epoch
	ID       []uint64
	Text     [NumTextColumns]TextColumn
	Severity []int8
	Count    []uint32 // as stored: 0 and 1 both mean one detection
	DNSQType []uint16
	DNSRcode []int8
	// BatchID and IngestTime (microseconds) are kept only by reads for
	// StoredEvents (the day stream does not send them).
	BatchID    TextColumn
	IngestTime []int64
	// Next continues after the last event; Done means the range has no
	// more events now.
	Next Cursor
	Done bool
}

// Len is the number of events.
func (c *EventColumns) Len() int { return len(c.Time) }

// TextColumn is one text field of a page's events.
type TextColumn struct {
	// Dict holds the distinct non-empty values in order of first
	// appearance; Idx holds each event's: 0 for "", j for Dict[j-1].
	// (Rows written around the store, which keep raw text equal to an
	// address's or port's rendering, may show a value twice.)
	Dict []string
	Idx  []uint32

	index map[string]uint32
	// seen caches recent lookups by the address and length of the
	// string's bytes: values shared among rows (dictionary entries,
	// rendered addresses) mostly hit here without hashing.
	seen [seenSlots]seenEntry
	// byPort and byAddr index the texts rendered from a typed column by
	// that column's value (see addPort, addAddr).
	byPort []uint32
	byAddr map[[16]byte]uint32
}

const seenSlots = 256

type seenEntry struct {
	ptr *byte
	n   int
	idx uint32
}

// Value returns event i's value.
func (t *TextColumn) Value(i int) string {
	if j := t.Idx[i]; j > 0 {
		return t.Dict[j-1]
	}
	return ""
}

// add appends a value.
func (t *TextColumn) add(s string) {
	if s == "" {
		t.Idx = append(t.Idx, 0)
		return
	}
	p := unsafe.StringData(s)
	slot := &t.seen[(uintptr(unsafe.Pointer(p))>>3^uintptr(len(s)))%seenSlots]
	if slot.ptr != p || slot.n != len(s) {
		*slot = seenEntry{ptr: p, n: len(s), idx: t.intern(s)}
	}
	t.Idx = append(t.Idx, slot.idx)
}

// intern returns s's index, adding s to Dict if new.
func (t *TextColumn) intern(s string) uint32 {
	if t.index == nil {
		t.index = map[string]uint32{}
	}
	j, ok := t.index[s]
	if !ok {
		t.Dict = append(t.Dict, s)
		j = uint32(len(t.Dict))
		t.index[s] = j
	}
	return j
}

// addPort appends the text of port p, render(p), rendering it only the
// first time the page sees p. The text joins Dict unhashed: a rendered
// text is distinct from every other rendering, and from every raw text
// (the store keeps raw text only when it differs from the rendering).
func (t *TextColumn) addPort(p uint16, render func(uint16) string) {
	if t.byPort == nil {
		t.byPort = make([]uint32, 1<<16)
	}
	j := t.byPort[p]
	if j == 0 {
		if s := render(p); s != "" {
			t.Dict = append(t.Dict, s)
			j = uint32(len(t.Dict))
			t.byPort[p] = j
		}
	}
	t.Idx = append(t.Idx, j)
}

// addAddr appends the text of address a, render(a), rendering it only
// the first time the page sees a; unhashed, as in addPort.
func (t *TextColumn) addAddr(a [16]byte, render func([16]byte) string) {
	j, ok := t.byAddr[a]
	if !ok {
		if t.byAddr == nil {
			t.byAddr = map[[16]byte]uint32{}
		}
		if s := render(a); s != "" {
			t.Dict = append(t.Dict, s)
			j = uint32(len(t.Dict))
		}
		t.byAddr[a] = j
	}
	t.Idx = append(t.Idx, j)
}

func (t *TextColumn) reset() {
	t.Dict, t.Idx = t.Dict[:0], t.Idx[:0]
	clear(t.index)
	clear(t.seen[:])
	clear(t.byPort)
	clear(t.byAddr)
}

// reset empties c for another page, keeping its arrays.
func (c *EventColumns) reset() {
	c.Time, c.ID = c.Time[:0], c.ID[:0]
	for k := range c.Text {
		c.Text[k].reset()
	}
	c.BatchID.reset()
	c.Severity, c.Count, c.DNSQType, c.DNSRcode = c.Severity[:0], c.Count[:0], c.DNSQType[:0], c.DNSRcode[:0]
	c.IngestTime = c.IngestTime[:0]
	c.Next, c.Done = Cursor{}, false
}

// Append adds an event, with its batch ID and ingest time.
func (c *EventColumns) Append(e *StoredEvent) {
	c.BatchID.add(e.BatchID)
	c.IngestTime = append(c.IngestTime, e.IngestTime.UnixMicro())
	c.Time = append(c.Time, e.Time.UnixMicro())
	c.ID = append(c.ID, e.ID)
	for k, f := range textFields {
		c.Text[k].add(*f.field(e))
	}
	c.Severity = append(c.Severity, int8(e.Severity))
	c.Count = append(c.Count, uint32(max(e.Count, 0)))
	c.DNSQType = append(c.DNSQType, e.Context.DNSQType)
	c.DNSRcode = append(c.DNSRcode, e.Context.DNSRcode)
}

// Event returns event i of tenant t as a StoredEvent (its batch ID and
// ingest time only if the read kept them).
func (c *EventColumns) Event(t tenant.ID, i int) StoredEvent {
	var e StoredEvent
	e.Tenant = t
	e.Time = time.UnixMicro(c.Time[i]).UTC()
	e.ID = c.ID[i]
	for k, f := range textFields {
		*f.field(&e) = c.Text[k].Value(i)
	}
	e.Severity = event.Severity(c.Severity[i])
	e.Count = int(c.Count[i])
	e.Context.DNSQType, e.Context.DNSRcode = c.DNSQType[i], c.DNSRcode[i]
	if i < len(c.IngestTime) {
		e.BatchID = c.BatchID.Value(i)
		e.IngestTime = time.UnixMicro(c.IngestTime[i]).UTC()
	}
	return e
}

// appendEvents appends c's first n events, of tenant t, to dst.
func (c *EventColumns) appendEvents(dst []StoredEvent, t tenant.ID, n int) []StoredEvent {
	for i := range n {
		dst = append(dst, c.Event(t, i))
	}
	return dst
}

// sortByTime orders the events by (time, ID).
func (c *EventColumns) sortByTime() {
	n := c.Len()
	sorted := true
	for i := 1; i < n && sorted; i++ {
		sorted = c.Time[i-1] < c.Time[i] || c.Time[i-1] == c.Time[i] && c.ID[i-1] <= c.ID[i]
	}
	if sorted {
		return
	}
	perm := make([]int32, n)
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortFunc(perm, func(a, b int32) int {
		if x := cmp.Compare(c.Time[a], c.Time[b]); x != 0 {
			return x
		}
		return cmp.Compare(c.ID[a], c.ID[b])
	})
	c.Time, c.ID = gather(c.Time, perm), gather(c.ID, perm)
	for k := range c.Text {
		c.Text[k].Idx = gather(c.Text[k].Idx, perm)
	}
	c.Severity, c.Count = gather(c.Severity, perm), gather(c.Count, perm)
	c.DNSQType, c.DNSRcode = gather(c.DNSQType, perm), gather(c.DNSRcode, perm)
	if len(c.IngestTime) == n {
		c.BatchID.Idx, c.IngestTime = gather(c.BatchID.Idx, perm), gather(c.IngestTime, perm)
	}
}

// gather returns s's elements at perm's positions, in a new array.
func gather[T any](s []T, perm []int32) []T {
	out := make([]T, len(perm))
	for i, p := range perm {
		out[i] = s[p]
	}
	return out
}
