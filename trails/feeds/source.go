package feeds

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/spoorsec/spoor/trails"
)

// Source is one of Maltrail's feed modules (trails/feeds/<Name>.py), as Maltrail()
// returns them; their addresses and timeouts may be changed, their parsers not.
type Source struct {
	// Name is the module's name: it orders the merge and names the feed in
	// DISABLED_FEEDS.
	Name string
	// URL is the module's __url__, for reports.
	URL string
	// URLs are what is fetched, the way the module fetches: the first; or the first and,
	// should it fail or lack Check, the second (badips); or all of them, the feed being
	// their union (dataplane); or an index page and the address prefix of the file the
	// index names (trickbot).
	URLs []string
	// Check is __check__: a response that does not contain it is not the feed. Empty
	// for the modules without one.
	Check string
	// Info and Reference are __info__ and __reference__; Info is empty for the modules
	// whose trails each carry their own.
	Info, Reference string
	// Disabled: the module is in Maltrail's default DISABLED_FEEDS.
	Disabled bool
	// Timeout, when set, replaces Config.Timeout for this source's requests.
	Timeout time.Duration

	header http.Header // replaces default request headers
	mode   fetchMode
	parse  func(s *Source, body string) []trails.Trail
}

type fetchMode uint8

const (
	fetchFirst    fetchMode = iota
	fetchFallback           // URLs[1] when URLs[0] fails or lacks Check
	fetchEach               // every URL
	fetchIndexed            // URLs[0] names the file to fetch under URLs[1]
)

// trail is the trail a module yields with its own info and reference.
func (s *Source) trail(key string) trails.Trail {
	return trails.Trail{Key: key, Info: s.Info, Reference: s.Reference}
}

// Result is the outcome of fetching one source.
type Result struct {
	// Feed holds the trails, named after the source; it may hold trails when Err is
	// set: from a stale cached copy, or from the URLs of a source that did answer.
	Feed trails.Feed
	URL  string
	// Err is nil when the feed was fetched in full and yielded trails.
	Err error
	// NotModified: every body came from the cache after a 304 answer.
	NotModified bool
	// Stale: a cached copy stood in for a failed request.
	Stale   bool
	Elapsed time.Duration
}

// ErrEmpty is the error of a feed that yields no trails.
var ErrEmpty = errors.New("no indicators (empty feed, or its format changed)")

// FetchAll fetches the sources, Config.Parallel at a time, and returns their results in
// the sources' order. A source's failure is in its Result only.
func (c *Client) FetchAll(ctx context.Context, sources []Source) []Result {
	results := make([]Result, len(sources))
	sem := make(chan struct{}, c.cfg.Parallel)
	var wg sync.WaitGroup
	for i := range sources {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = c.Fetch(ctx, &sources[i])
		})
	}
	wg.Wait()
	return results
}

// Fetch fetches and parses one source.
func (c *Client) Fetch(ctx context.Context, s *Source) Result {
	start := time.Now()
	f := fetcher{c: c, s: s}
	var tr []trails.Trail
	var err error
	mode := s.mode
	switch {
	case len(s.URLs) == 0:
		return f.result(trails.Feed{Name: s.Name}, s.URL, errors.New("no URL to fetch"), start)
	case s.parse == nil:
		return f.result(trails.Feed{Name: s.Name}, s.URL, errors.New("not one of Maltrail's sources: no parser"), start)
	case len(s.URLs) < 2 && (mode == fetchFallback || mode == fetchIndexed):
		mode = fetchFirst
	}
	switch mode {
	case fetchFallback:
		var body string
		if body, err = f.body(ctx, s.URLs[0]); err == nil {
			tr = s.parse(s, body)
		} else if body, err2 := f.body(ctx, s.URLs[1]); err2 == nil {
			tr, err = s.parse(s, body), nil
		} else {
			err = errors.Join(err, err2)
		}
	case fetchEach:
		errs := make([]error, len(s.URLs))
		for i, u := range s.URLs {
			body, err := f.body(ctx, u)
			if err != nil {
				errs[i] = err
				continue
			}
			tr = append(tr, s.parse(s, body)...)
		}
		err = summarise(errs)
	case fetchIndexed:
		tr, err = f.indexed(ctx)
	default:
		var body string
		if body, err = f.body(ctx, s.URLs[0]); err == nil {
			tr = s.parse(s, body)
		}
	}
	if err == nil && len(tr) == 0 {
		err = ErrEmpty
	}
	return f.result(trails.Feed{Name: s.Name, Trails: tr}, s.URL, err, start)
}

// result completes a Result with how the bodies were served.
func (f *fetcher) result(feed trails.Feed, url string, err error, start time.Time) Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stale != nil {
		err = errors.Join(err, f.stale)
	}
	return Result{
		Feed:        feed,
		URL:         url,
		Err:         err,
		NotModified: f.bodies > 0 && f.notModified == f.bodies,
		Stale:       f.stale != nil,
		Elapsed:     time.Since(start),
	}
}

// fetcher fetches the bodies of one source and keeps count of how they were served. It
// is safe for concurrent use.
type fetcher struct {
	c *Client
	s *Source

	mu                  sync.Mutex
	bodies, notModified int
	stale               error
}

// raw fetches url and records how it was served.
func (f *fetcher) raw(ctx context.Context, url string) ([]byte, error) {
	resp, err := f.c.get(ctx, request{url: url, timeout: f.s.Timeout, header: f.s.header})
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bodies++
	if resp.NotModified {
		f.notModified++
	}
	if resp.Stale {
		f.stale = errors.Join(f.stale, fmt.Errorf("using a cached copy %s old: %w", resp.Age.Round(time.Second), resp.StaleErr))
	}
	return resp.Body, nil
}

// body fetches url, checks it holds the source's Check and returns it as text, invalid
// UTF-8 replaced as Maltrail's decode(errors="replace") does.
func (f *fetcher) body(ctx context.Context, url string) (string, error) {
	raw, err := f.raw(ctx, url)
	if err != nil {
		return "", err
	}
	body := strings.ToValidUTF8(string(raw), "\uFFFD")
	if f.s.Check != "" && !strings.Contains(body, f.s.Check) {
		return "", fmt.Errorf("%s: response does not contain %q: not the feed, or its format changed", url, f.s.Check)
	}
	return body, nil
}

var trickbotConfig = regexp.MustCompile(`config.conf_\d+.xml`)

// indexed is trickbot.py: the last configuration file the index page names, fetched
// under URLs[1].
func (f *fetcher) indexed(ctx context.Context) ([]trails.Trail, error) {
	index, err := f.body(ctx, f.s.URLs[0])
	if err != nil {
		return nil, err
	}
	names := trickbotConfig.FindAllString(index, -1)
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no configuration file named", f.s.URLs[0])
	}
	body, err := f.body(ctx, f.s.URLs[1]+names[len(names)-1])
	if err != nil {
		return nil, err
	}
	return f.s.parse(f.s, body), nil
}
