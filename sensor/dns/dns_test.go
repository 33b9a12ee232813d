package dns

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/spoorsec/spoor/internal/shared"
)

func testdataDir(tb testing.TB) string { return shared.Testdata(tb) }

// Message builders for crafted test input.

func header(id, flags, qd, an uint16) []byte {
	h := make([]byte, 12)
	binary.BigEndian.PutUint16(h[0:], id)
	binary.BigEndian.PutUint16(h[2:], flags)
	binary.BigEndian.PutUint16(h[4:], qd)
	binary.BigEndian.PutUint16(h[6:], an)
	return h
}

// wireName encodes a dotted name; "" is the root.
func wireName(name string) []byte {
	var b []byte
	if name != "" {
		for _, l := range strings.Split(name, ".") {
			b = append(b, byte(len(l)))
			b = append(b, l...)
		}
	}
	return append(b, 0)
}

func ptr(off int) []byte { return []byte{0xc0 | byte(off>>8), byte(off)} }

func question(name []byte, qtype, qclass uint16) []byte {
	b := append([]byte{}, name...)
	b = binary.BigEndian.AppendUint16(b, qtype)
	return binary.BigEndian.AppendUint16(b, qclass)
}

func rr(name []byte, typ uint16, ttl uint32, rdata []byte) []byte {
	b := append([]byte{}, name...)
	b = binary.BigEndian.AppendUint16(b, typ)
	b = binary.BigEndian.AppendUint16(b, 1)
	b = binary.BigEndian.AppendUint32(b, ttl)
	b = binary.BigEndian.AppendUint16(b, uint16(len(rdata)))
	return append(b, rdata...)
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func ip(s string) []byte { return netip.MustParseAddr(s).AsSlice() }

// response is www.example.com → CNAME example.com → A + AAAA, all names
// compressed against the question at offset 12.
func response() []byte {
	return cat(header(0xbeef, 0x8180, 1, 3),
		question(wireName("WWW.Example.com"), TypeA, 1),
		rr(ptr(12), 5, 300, ptr(16)),
		rr(ptr(16), TypeA, 60, ip("198.51.100.90")),
		rr(cat([]byte{3, 'f', 'o', 'o'}, ptr(16)), TypeAAAA, 30, ip("2001:db8::1")))
}

type parseCase struct {
	name    string
	msg     []byte
	want    Message // Name compared as a string, Answers element-wise
	wantErr error
}

func parseCases() []parseCase {
	a := netip.MustParseAddr
	manyAnswers := cat(header(1, 0x8180, 1, 40), question(wireName("many.example"), TypeA, 1))
	for i := range 40 {
		manyAnswers = append(manyAnswers, rr(ptr(12), TypeA, uint32(i), ip("192.0.2.1"))...)
	}
	wantMany := make([]Answer, MaxAnswers)
	for i := range wantMany {
		wantMany[i] = Answer{Type: TypeA, TTL: uint32(i), Addr: a("192.0.2.1")}
	}
	long := strings.Repeat(strings.Repeat("a", 63)+".", 3) + strings.Repeat("b", 61) // 255 octets on the wire
	return []parseCase{
		{name: "query", msg: cat(header(0x1337, 0x0100, 1, 0), question(wireName("evil-test-domain.com"), TypeA, 1)),
			want: Message{ID: 0x1337, Flags: 0x0100, QDCount: 1, QType: TypeA, QClass: 1, Name: []byte("evil-test-domain.com")}},
		{name: "uppercase is lowercased", msg: cat(header(1, 0, 1, 0), question(wireName("EVIL.CoM"), TypeAAAA, 1)),
			want: Message{ID: 1, QDCount: 1, QType: TypeAAAA, QClass: 1, Name: []byte("evil.com")}},
		{name: "root name", msg: cat(header(1, 0, 1, 0), question(wireName(""), 2, 1)),
			want: Message{ID: 1, QDCount: 1, QType: 2, QClass: 1, Name: []byte("")}},
		{name: "underscore and hyphen kept", msg: cat(header(1, 0, 1, 0), question(wireName("_ldap._tcp.dc-1.corp"), 33, 1)),
			want: Message{ID: 1, QDCount: 1, QType: 33, QClass: 1, Name: []byte("_ldap._tcp.dc-1.corp")}},
		{name: "dot inside a label is escaped", msg: cat(header(1, 0, 1, 0), question([]byte("\x08evil.com\x00"), TypeA, 1)),
			want: Message{ID: 1, QDCount: 1, QType: TypeA, QClass: 1, Name: []byte(`evil\.com`)}},
		{name: "non-printable bytes are escaped", msg: cat(header(1, 0, 1, 0), question([]byte("\x05a b\xff\\\x03com\x00"), TypeA, 1)),
			want: Message{ID: 1, QDCount: 1, QType: TypeA, QClass: 1, Name: []byte(`a\032b\255\\.com`)}},
		{name: "longest legal name", msg: cat(header(1, 0, 1, 0), question(wireName(long), TypeA, 1)),
			want: Message{ID: 1, QDCount: 1, QType: TypeA, QClass: 1, Name: []byte(long)}},
		{name: "response with compressed answers", msg: response(),
			want: Message{ID: 0xbeef, Flags: 0x8180, QDCount: 1, ANCount: 3, QType: TypeA, QClass: 1, Name: []byte("www.example.com"),
				Answers: []Answer{{Type: 5, TTL: 300}, {Type: TypeA, TTL: 60, Addr: a("198.51.100.90")}, {Type: TypeAAAA, TTL: 30, Addr: a("2001:db8::1")}}}},
		{name: "uncompressed answer name", msg: cat(header(2, 0x8180, 1, 1), question(wireName("parked.com"), TypeA, 1), rr(wireName("parked.com"), TypeA, 60, ip("198.51.100.91"))),
			want: Message{ID: 2, Flags: 0x8180, QDCount: 1, ANCount: 1, QType: TypeA, QClass: 1, Name: []byte("parked.com"),
				Answers: []Answer{{Type: TypeA, TTL: 60, Addr: a("198.51.100.91")}}}},
		{name: "A with bad length has no address", msg: cat(header(3, 0x8180, 1, 1), question(wireName("x.com"), TypeA, 1), rr(ptr(12), TypeA, 1, []byte{1, 2, 3, 4, 5})),
			want: Message{ID: 3, Flags: 0x8180, QDCount: 1, ANCount: 1, QType: TypeA, QClass: 1, Name: []byte("x.com"), Answers: []Answer{{Type: TypeA, TTL: 1}}}},
		{name: "answers capped", msg: manyAnswers,
			want: Message{ID: 1, Flags: 0x8180, QDCount: 1, ANCount: 40, QType: TypeA, QClass: 1, Name: []byte("many.example"), Answers: wantMany}},
		{name: "second question skipped", msg: cat(header(4, 0x8180, 2, 1), question(wireName("one.com"), TypeA, 1), question(cat([]byte{3, 't', 'w', 'o'}, ptr(16)), TypeA, 1), rr(ptr(12), TypeA, 9, ip("192.0.2.9"))),
			want: Message{ID: 4, Flags: 0x8180, QDCount: 2, ANCount: 1, QType: TypeA, QClass: 1, Name: []byte("one.com"), Answers: []Answer{{Type: TypeA, TTL: 9, Addr: a("192.0.2.9")}}}},
		{name: "no question", msg: cat(header(5, 0x8180, 0, 1), rr(wireName("x.org"), TypeA, 7, ip("192.0.2.7"))),
			want: Message{ID: 5, Flags: 0x8180, ANCount: 1, Name: []byte(""), Answers: []Answer{{Type: TypeA, TTL: 7, Addr: a("192.0.2.7")}}}},
		{name: "answer section cut short", msg: response()[:len(response())-5],
			want: Message{ID: 0xbeef, Flags: 0x8180, QDCount: 1, ANCount: 3, QType: TypeA, QClass: 1, Name: []byte("www.example.com"), Partial: true,
				Answers: []Answer{{Type: 5, TTL: 300}, {Type: TypeA, TTL: 60, Addr: a("198.51.100.90")}}}},
		{name: "answer count beyond the message", msg: cat(header(6, 0x8180, 1, 2), question(wireName("x.com"), TypeA, 1)),
			want: Message{ID: 6, Flags: 0x8180, QDCount: 1, ANCount: 2, QType: TypeA, QClass: 1, Name: []byte("x.com"), Partial: true}},
		{name: "question count beyond the message", msg: cat(header(7, 0, 9, 0), question(wireName("x.com"), TypeA, 1)),
			want: Message{ID: 7, QDCount: 9, QType: TypeA, QClass: 1, Name: []byte("x.com"), Partial: true}},

		{name: "empty", msg: nil, wantErr: ErrTruncated},
		{name: "short header", msg: header(1, 0, 1, 0)[:7], wantErr: ErrTruncated},
		{name: "header only", msg: header(1, 0, 1, 0), wantErr: ErrTruncated},
		{name: "name without root label", msg: cat(header(1, 0, 1, 0), []byte("\x04evil\x03com")), wantErr: ErrTruncated},
		{name: "label overruns message", msg: cat(header(1, 0, 1, 0), []byte("\x3fAAAAA")), wantErr: ErrTruncated},
		{name: "no type and class", msg: cat(header(1, 0, 1, 0), wireName("evil.com"), []byte{0, 1}), wantErr: ErrTruncated},
		{name: "half a pointer", msg: cat(header(1, 0, 1, 0), []byte{0xc0}), wantErr: ErrTruncated},
		{name: "pointer to itself", msg: cat(header(1, 0, 1, 0), ptr(12), []byte{0, 1, 0, 1}), wantErr: ErrMalformed},
		{name: "forward pointer", msg: cat(header(1, 0, 1, 0), ptr(14), wireName("x.com"), []byte{0, 1, 0, 1}), wantErr: ErrMalformed},
		{name: "loop through a label", msg: cat(header(1, 0, 1, 0), []byte{1, 'a'}, ptr(12), []byte{0, 1, 0, 1}), wantErr: ErrMalformed},
		{name: "loop inside the header", msg: cat(header(0xc000, 0, 1, 0), ptr(0), []byte{0, 1, 0, 1}), wantErr: ErrMalformed},
		{name: "extended label type", msg: cat(header(1, 0, 1, 0), []byte{0x41, 0}, []byte{0, 1, 0, 1}), wantErr: ErrMalformed},
		{name: "name too long", msg: cat(header(1, 0, 1, 0), question(wireName(long+"b"), TypeA, 1)), wantErr: ErrMalformed},
	}
}

// TestAppendNameCompression follows pointers the way answer-section names
// use them: a label run ending in a pointer, and a pointer to a pointer.
func TestAppendNameCompression(t *testing.T) {
	msg := response() // question www.example.com at 12, example.com at 16
	at := len(msg)
	msg = cat(msg, []byte{3, 'f', 'o', 'o'}, ptr(16), ptr(at), []byte{2, 'm', 'x'}, ptr(at+6))
	tests := []struct {
		off      int
		want     string
		wantNext int
	}{
		{12, "www.example.com", 29},
		{at, "foo.example.com", at + 6},
		{at + 6, "foo.example.com", at + 8},
		{at + 8, "mx.foo.example.com", at + 13},
	}
	for _, tt := range tests {
		name, next, err := appendName(nil, msg, tt.off)
		if err != nil || string(name) != tt.want || next != tt.wantNext {
			t.Errorf("appendName at %d: got %q, next %d, err %v; want %q, next %d", tt.off, name, next, err, tt.want, tt.wantNext)
		}
	}
}

func checkMessage(t *testing.T, got *Message, want Message) {
	t.Helper()
	if string(got.Name) != string(want.Name) {
		t.Errorf("Name: got %q, want %q", got.Name, want.Name)
	}
	if len(got.Answers) != len(want.Answers) || (len(want.Answers) > 0 && !reflect.DeepEqual(got.Answers, want.Answers)) {
		t.Errorf("Answers:\ngot  %+v\nwant %+v", got.Answers, want.Answers)
	}
	g, w := *got, want
	g.Name, g.Answers, w.Name, w.Answers = nil, nil, nil, nil
	if !reflect.DeepEqual(g, w) {
		t.Errorf("header fields:\ngot  %+v\nwant %+v", g, w)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases() {
		t.Run(tc.name, func(t *testing.T) {
			var m Message
			err := m.Parse(tc.msg)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Parse error: got %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil {
				if len(m.Name) != 0 || len(m.Answers) != 0 {
					t.Errorf("after error: got Name %q and %d answers, want none", m.Name, len(m.Answers))
				}
				return
			}
			checkMessage(t, &m, tc.want)
		})
	}
}

// TestParseReuse parses every case into one Message, so stale state from
// an earlier message would show up.
func TestParseReuse(t *testing.T) {
	var m Message
	for _, tc := range parseCases() {
		err := m.Parse(tc.msg)
		if !errors.Is(err, tc.wantErr) {
			t.Fatalf("%s: Parse error: got %v, want %v", tc.name, err, tc.wantErr)
		}
		if tc.wantErr == nil {
			checkMessage(t, &m, tc.want)
		}
	}
}

func TestFlagAccessors(t *testing.T) {
	tests := []struct {
		flags    uint16
		response bool
		opcode   uint8
		rcode    uint8
	}{
		{0x0100, false, 0, 0}, // standard recursive query
		{0x8180, true, 0, 0},  // NOERROR response
		{0x8183, true, 0, 3},  // NXDOMAIN
		{0x2800, false, 5, 0}, // UPDATE
		{0x9005, true, 2, 5},  // STATUS, REFUSED
	}
	for _, tt := range tests {
		m := Message{Flags: tt.flags}
		if m.Response() != tt.response || m.Opcode() != tt.opcode || m.Rcode() != tt.rcode {
			t.Errorf("flags %#04x: got response %v opcode %d rcode %d, want %v %d %d",
				tt.flags, m.Response(), m.Opcode(), m.Rcode(), tt.response, tt.opcode, tt.rcode)
		}
	}
}

func TestParseTCP(t *testing.T) {
	query := cat(header(9, 0x0100, 1, 0), question(wireName("tcp.example"), TypeA, 1))
	prefix := func(n int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(n)) }
	tests := []struct {
		name    string
		seg     []byte
		want    string
		wantErr error
	}{
		{name: "one message", seg: cat(prefix(len(query)), query), want: "tcp.example"},
		{name: "two messages in one segment", seg: cat(prefix(len(query)), query, prefix(len(query)), query), want: "tcp.example"},
		{name: "message continues in the next segment", seg: cat(prefix(len(query)+100), query), want: "tcp.example"},
		{name: "prefix shorter than the header", seg: cat(prefix(5), query), wantErr: ErrTruncated},
		{name: "one byte", seg: []byte{0}, wantErr: ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Message
			err := ParseTCP(tt.seg, &m)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error: got %v, want %v", err, tt.wantErr)
			}
			if string(m.Name) != tt.want {
				t.Errorf("Name: got %q, want %q", m.Name, tt.want)
			}
		})
	}
}

// TestParseEveryTruncation cuts a response at every length: inside the
// header or question Parse must fail with ErrTruncated, after it the
// question must survive and the answers shrink.
func TestParseEveryTruncation(t *testing.T) {
	msg := response()
	qEnd := 12 + len(wireName("www.example.com")) + 4
	var m Message
	for cut := range len(msg) {
		err := m.Parse(msg[:cut])
		if cut < qEnd {
			if !errors.Is(err, ErrTruncated) {
				t.Errorf("cut %d: got %v, want %v", cut, err, ErrTruncated)
			}
			continue
		}
		if err != nil || string(m.Name) != "www.example.com" || !m.Partial || len(m.Answers) > 2 {
			t.Errorf("cut %d: got err %v name %q partial %v answers %d, want the question and a partial answer section",
				cut, err, m.Name, m.Partial, len(m.Answers))
		}
	}
}

func TestParseAllocs(t *testing.T) {
	var m Message
	_ = m.Parse(response()) // warm the reused buffers
	for _, tc := range parseCases() {
		if allocs := testing.AllocsPerRun(100, func() { _ = m.Parse(tc.msg) }); allocs != 0 {
			t.Errorf("%s: got %v allocs per Parse, want 0", tc.name, allocs)
		}
	}
	seg := cat([]byte{0, byte(len(response()))}, response())
	if allocs := testing.AllocsPerRun(100, func() { _ = ParseTCP(seg, &m) }); allocs != 0 {
		t.Errorf("ParseTCP: got %v allocs, want 0", allocs)
	}
}
