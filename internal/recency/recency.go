// Package recency orders items by last use without allocating: the links
// live in the items themselves (an intrusive list), so connection and flow
// tables that recycle their items keep their hot paths allocation-free.
package recency

// Links are an item's place in a List. Embed them in the item type; the
// embedding gives *T the (unexported) method a List needs.
type Links[T any] struct {
	prev, next *T
}

// links returns l itself, promoted to the type that embeds it.
func (l *Links[T]) links() *Links[T] { return l }

// Item is a pointer to a T that embeds Links[T].
type Item[T any] interface {
	*T
	links() *Links[T]
}

// List holds items, most recently used first. The zero value is empty. An
// item is in at most one List at a time.
type List[T any, P Item[T]] struct {
	head, tail *T
}

// PushFront adds x, which must not be in the list, as the most recent item.
func (l *List[T, P]) PushFront(x P) {
	lx := x.links()
	lx.prev, lx.next = nil, l.head
	if l.head != nil {
		P(l.head).links().prev = x
	}
	l.head = x
	if l.tail == nil {
		l.tail = x
	}
}

// Remove takes x out of the list.
func (l *List[T, P]) Remove(x P) {
	lx := x.links()
	if lx.prev != nil {
		P(lx.prev).links().next = lx.next
	} else {
		l.head = lx.next
	}
	if lx.next != nil {
		P(lx.next).links().prev = lx.prev
	} else {
		l.tail = lx.prev
	}
	lx.prev, lx.next = nil, nil
}

// MoveToFront marks x, which is in the list, as the most recent item.
func (l *List[T, P]) MoveToFront(x P) {
	if l.head != x {
		l.Remove(x)
		l.PushFront(x)
	}
}

// Oldest returns the least recently used item, or nil if the list is empty.
func (l *List[T, P]) Oldest() P { return l.tail }
