package trails

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// staticsFeed is what Maltrail's statics feed yields when it downloads the daily export
// of the static trails: the static set's trails.csv rows with exactly two commas.
func staticsFeed(tb testing.TB) Feed {
	tb.Helper()
	var csv bytes.Buffer
	if err := staticSet(tb).WriteCSV(&csv); err != nil {
		tb.Fatal(err)
	}
	f := Feed{Name: "statics"}
	for line := range strings.SplitSeq(csv.String(), "\r\n") {
		if strings.Count(line, ",") == 2 {
			p := strings.Split(line, ",")
			f.Trails = append(f.Trails, Trail{p[0], p[1], p[2]})
		}
	}
	return f
}

// reputationFeeds are n feeds of k addresses each, overlapping so that some addresses
// reach IP_MINIMUM_FEEDS.
func reputationFeeds(n, k int) []Feed {
	feeds := make([]Feed, n)
	for i := range feeds {
		feeds[i].Name = fmt.Sprintf("feed%d", i)
		for j := range k {
			a := (i*k/2 + j) % (n * k)
			feeds[i].Trails = append(feeds[i].Trails, Trail{
				fmt.Sprintf("45.%d.%d.%d", a>>16&255, a>>8&255, a&255), "known attacker", fmt.Sprintf("feed%d.example", i),
			})
		}
	}
	return feeds
}

// TestBuildStaticsFeed merges the statics feed (the static trails' own export) before
// the static trails, as an online update does: the result is the static set, plus what
// Maltrail too makes of the export's rows that do not survive a round trip (a quoted
// field split at its commas, a run of slashes that the clean-up halves again).
func TestBuildStaticsFeed(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 1.8M trails twice")
	}
	opts := maltrailFilters(t)
	s, err := Build(BuildOptions{
		Tree: maltrailData(t, "trails", "static"), Feeds: []Feed{staticsFeed(t)},
		Whitelist: opts.Whitelist, DropRanges: opts.DropRanges, Logger: discardLogger,
	})
	if err != nil {
		t.Fatal(err)
	}
	got, want := csvRows(t, s), csvRows(t, staticSet(t))
	for _, r := range want {
		if _, ok := slices.BinarySearch(got, r); !ok {
			t.Errorf("missing static row %q", r)
		}
	}
	extra := 0
	for _, r := range got {
		if _, ok := slices.BinarySearch(want, r); !ok {
			extra++
			if !strings.HasPrefix(r, `"`) && !strings.HasPrefix(r, "//") {
				t.Errorf("unexpected row %q", r)
			}
		}
	}
	if extra > 20 {
		t.Errorf("%d rows beyond the static set's, want a handful", extra)
	}
}

// BenchmarkBuildFull builds what an online update builds: Maltrail's static trails,
// the statics feed (their ~1.6M-row export) and 40 reputation feeds of 20,000
// addresses each.
func BenchmarkBuildFull(b *testing.B) {
	opts := maltrailFilters(b)
	bo := BuildOptions{
		Tree:      maltrailData(b, "trails", "static"),
		Feeds:     append([]Feed{staticsFeed(b)}, reputationFeeds(40, 20_000)...),
		Whitelist: opts.Whitelist, DropRanges: opts.DropRanges, Logger: discardLogger,
	}
	b.ReportAllocs()
	var total time.Duration
	var s *Set
	for b.Loop() {
		start := time.Now()
		var err error
		if s, err = Build(bo); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/build")
	b.ReportMetric(float64(s.Len()), "trails")
}
