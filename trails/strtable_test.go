package trails

import (
	"fmt"
	"testing"
)

func TestStrTable(t *testing.T) {
	tab := newStrTable(newHashSeed(), 0, 0) // grows from empty
	const n = 50_000
	for i := range n {
		if err := tab.put(fmt.Sprintf("key-%d.example", i), uint32(i%1000)); err != nil {
			t.Fatal(err)
		}
	}
	long := string(make([]byte, 300)) // a two-byte length prefix
	if err := tab.put(long, 7); err != nil {
		t.Fatal(err)
	}
	if err := tab.put("key-5.example", 999); err != nil { // replaces, keeps position
		t.Fatal(err)
	}
	if err := tab.put("", 3); err != nil {
		t.Fatal(err)
	}
	tab.compact()
	if tab.n != n+2 {
		t.Fatalf("n = %d, want %d", tab.n, n+2)
	}
	for i := range n {
		want := uint32(i % 1000)
		if i == 5 {
			want = 999
		}
		if got, ok := tab.get(fmt.Sprintf("key-%d.example", i)); !ok || got != want {
			t.Fatalf("get(key-%d) = %d, %v; want %d", i, got, ok, want)
		}
	}
	for k, want := range map[string]uint32{long: 7, "": 3} {
		if got, ok := tab.get(k); !ok || got != want {
			t.Errorf("get(%.10q) = %d, %v; want %d", k, got, ok, want)
		}
	}
	// Absent keys: all missed, nearly all by the filter alone.
	passed := 0
	for i := range n {
		k := fmt.Sprintf("other-%d.example", i)
		if _, ok := tab.get(k); ok {
			t.Fatalf("get(%q) = hit, want miss", k)
		}
		h := strHash(tab.seed, k)
		if m := filterMask(h); tab.filter[filterWord(h, len(tab.filter))]&m == m {
			passed++
		}
	}
	if rate := float64(passed) / n; rate > 0.05 {
		t.Errorf("filter false positive rate = %.3f, want under 0.05", rate)
	}
	var order []string
	tab.eachKey(func(k []byte) { order = append(order, string(k)) })
	if len(order) != n+2 || order[0] != "key-0.example" || order[5] != "key-5.example" || order[n] != long {
		t.Errorf("eachKey order: got %d keys starting %q, want insertion order", len(order), order[:3])
	}
}

func TestIntTable(t *testing.T) {
	var tab intTable
	for i := range uint64(10_000) {
		tab.put(i*7919, uint32(i))
	}
	tab.put(0, 42) // replaces key 0
	tab.compact()
	if tab.n != 10_000 {
		t.Fatalf("n = %d, want 10000", tab.n)
	}
	for i := range uint64(10_000) {
		want := uint32(i)
		if i == 0 {
			want = 42
		}
		if got, ok := tab.get(i * 7919); !ok || got != want {
			t.Fatalf("get(%d) = %d, %v; want %d", i*7919, got, ok, want)
		}
		if _, ok := tab.get(i*7919 + 1); ok {
			t.Fatalf("get(%d) = hit, want miss", i*7919+1)
		}
	}
	prev, count := uint64(0), 0
	tab.each(func(k uint64, _ uint32) {
		if count > 0 && k <= prev {
			t.Fatalf("each: %d after %d, want ascending keys", k, prev)
		}
		prev = k
		count++
	})
	if count != 10_000 {
		t.Errorf("each visited %d keys, want 10000", count)
	}
}
