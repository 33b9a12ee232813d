package event

import (
	"reflect"
	"testing"
	"time"
	"unsafe"
)

func TestCloneAllOwnsItsText(t *testing.T) {
	buf := []byte("10.0.0.1evil.example")
	alias := func(lo, hi int) string { return unsafe.String(&buf[lo], hi-lo) }
	src := []Event{{
		Time: time.Unix(1700000000, 0), Sensor: "s1", SrcIP: alias(0, 8), Trail: alias(8, 20),
		Type: TypeDNS, Info: "malware", Reference: "(static)", Count: 3,
		Context: Context{DNSQType: 1, TLSSNI: alias(8, 20), JA4: "t13d"},
	}}
	want := src[0]
	want.SrcIP, want.Trail, want.Context.TLSSNI = "10.0.0.1", "evil.example", "evil.example"
	got := CloneAll(src)
	for i := range buf {
		buf[i] = 'x' // the decoder's buffer is reused
	}
	if !reflect.DeepEqual(got[0], want) {
		t.Errorf("got %+v, want %+v", got[0], want)
	}
	if n := testing.AllocsPerRun(100, func() { CloneAll(got) }); n > 2 {
		t.Errorf("got %.0f allocations, want at most 2 (events and text)", n)
	}
}
