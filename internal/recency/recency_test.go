package recency

import (
	"slices"
	"testing"
)

type item struct {
	Links[item]
	name string
}

// order lists the items oldest first, walking the links both ways to check
// that they agree.
func order(t *testing.T, l *List[item, *item]) []string {
	t.Helper()
	var back []string
	for x := l.Oldest(); x != nil; x = x.prev {
		back = append(back, x.name)
	}
	var fwd []string
	for x := l.head; x != nil; x = x.next {
		fwd = append(fwd, x.name)
	}
	slices.Reverse(fwd)
	if !slices.Equal(back, fwd) {
		t.Fatalf("links disagree: backwards %v, forwards %v", back, fwd)
	}
	return back
}

func TestList(t *testing.T) {
	var l List[item, *item]
	a, b, c := &item{name: "a"}, &item{name: "b"}, &item{name: "c"}
	if l.Oldest() != nil {
		t.Fatal("got an oldest item in an empty list, want nil")
	}
	steps := []struct {
		name string
		do   func()
		want []string
	}{
		{"push a", func() { l.PushFront(a) }, []string{"a"}},
		{"push b, c", func() { l.PushFront(b); l.PushFront(c) }, []string{"a", "b", "c"}},
		{"use a", func() { l.MoveToFront(a) }, []string{"b", "c", "a"}},
		{"use a again", func() { l.MoveToFront(a) }, []string{"b", "c", "a"}},
		{"remove the middle", func() { l.Remove(c) }, []string{"b", "a"}},
		{"remove the oldest", func() { l.Remove(l.Oldest()) }, []string{"a"}},
		{"reuse a removed item", func() { l.PushFront(c) }, []string{"a", "c"}},
		{"remove all", func() { l.Remove(a); l.Remove(c) }, nil},
	}
	for _, s := range steps {
		s.do()
		if got := order(t, &l); !slices.Equal(got, s.want) {
			t.Fatalf("%s: got %v, want %v (oldest first)", s.name, got, s.want)
		}
	}
}

func TestListDoesNotAllocate(t *testing.T) {
	var l List[item, *item]
	items := make([]item, 64)
	for i := range items {
		l.PushFront(&items[i])
	}
	allocs := testing.AllocsPerRun(100, func() {
		for i := range items {
			l.MoveToFront(&items[i])
		}
		old := l.Oldest()
		l.Remove(old)
		l.PushFront(old)
	})
	if allocs != 0 {
		t.Errorf("got %v allocations per run, want 0", allocs)
	}
}
