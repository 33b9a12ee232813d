package webui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/spoorsec/spoor/auth/totp"
	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/tenant"
)

// stepTimeout bounds each browser step, so that a stuck page fails its
// subtest quickly instead of the whole run.
const stepTimeout = 20 * time.Second

func do(tb testing.TB, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		tb.Fatal(err)
	}
}

// setInput replaces an input's value as typing would (input event included).
func setInput(tb testing.TB, ctx context.Context, sel, value string) {
	tb.Helper()
	eval[bool](tb, ctx, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.focus(); e.value = %q; e.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`, sel, value))
}

func eval[T any](tb testing.TB, ctx context.Context, expr string) T {
	tb.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls a page expression until it is truthy.
func waitFor(tb testing.TB, ctx context.Context, expr string, timeout time.Duration) {
	tb.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[any](expr, chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		tb.Fatalf("waiting for %s: %v", expr, err)
	}
}

// number reads the first integer of an element's text ("4,123 events" → 4123).
func number(tb testing.TB, ctx context.Context, sel string) int {
	tb.Helper()
	s := eval[string](tb, ctx, fmt.Sprintf(`document.querySelector(%q).textContent`, sel))
	m := regexp.MustCompile(`\d[\d,]*`).FindString(s)
	n, err := strconv.Atoi(strings.ReplaceAll(m, ",", ""))
	if err != nil {
		tb.Fatalf("%s: got text %q, want a number", sel, s)
	}
	return n
}

func sqlInt(tb testing.TB, rows [][]any) int {
	tb.Helper()
	if len(rows) != 1 || len(rows[0]) != 1 {
		tb.Fatalf("got SQL rows %v, want one value", rows)
	}
	n, err := strconv.Atoi(fmt.Sprint(rows[0][0]))
	if err != nil {
		tb.Fatalf("got SQL value %v, want an integer", rows[0][0])
	}
	return n
}

// murmur3 is MurmurHash3 x86-32, written here independently of the
// console's JavaScript to check its threat UIDs.
func murmur3(key string, seed uint32) uint32 {
	h := seed
	const c1, c2 = 0xcc9e2d51, 0x1b873593
	n := len(key)
	for i := 0; i+4 <= n; i += 4 {
		k := uint32(key[i]) | uint32(key[i+1])<<8 | uint32(key[i+2])<<16 | uint32(key[i+3])<<24
		k *= c1
		k = k<<15 | k>>17
		k *= c2
		h ^= k
		h = h<<13 | h>>19
		h = h*5 + 0xe6546b64
	}
	var k uint32
	tail := key[n&^3:]
	switch len(tail) {
	case 3:
		k ^= uint32(tail[2]) << 16
		fallthrough
	case 2:
		k ^= uint32(tail[1]) << 8
		fallthrough
	case 1:
		k ^= uint32(tail[0])
		k *= c1
		k = k<<15 | k>>17
		k *= c2
		h ^= k
	}
	h ^= uint32(n)
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

const globexZone = "Europe/Berlin"

type seeded struct {
	day            string
	admin, analyst string // access tokens
	analystName    string
	acme, globex   string
	acmeEvents     int
	globexEvents   int
}

// seedConsole creates two tenants with users, sensors, a custom trail and
// a day of events each.
func seedConsole(t *testing.T, s *stack) seeded {
	t.Helper()
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -2)
	sd := seeded{day: day.Format(time.DateOnly), acme: "acme", globex: "globex", acmeEvents: 4000, globexEvents: 1500, analystName: "ana"}
	sd.admin = s.login(t, "admin", adminPassword)
	// Globex keeps Berlin time: its days run from Berlin's midnights.
	for _, tn := range []struct{ id, name, zone string }{{sd.acme, "Acme Corp", "UTC"}, {sd.globex, "Globex Industries", globexZone}} {
		s.call(t, "POST", "/tenants", sd.admin, map[string]string{"id": tn.id, "name": tn.name, "time_zone": tn.zone}, &map[string]any{})
	}
	s.call(t, "POST", "/tenants/acme/users", sd.admin, map[string]string{"username": sd.analystName, "password": userPassword, "role": "analyst"}, &map[string]any{})
	sd.analyst = s.login(t, sd.analystName, userPassword)
	for _, name := range []string{"edge-acme-1", "edge-acme-2", "dc-acme-core"} {
		s.call(t, "POST", "/tenants/acme/sensors", sd.admin, map[string]string{"name": name}, &map[string]any{})
	}
	s.call(t, "POST", "/tenants/globex/sensors", sd.admin, map[string]string{"name": "edge-globex-1"}, &map[string]any{})
	s.call(t, "POST", "/tenants/acme/trails", sd.admin, map[string]string{"trail": "192.0.2.200:8443", "info": "acme red team c2"}, nil)
	s.call(t, "POST", "/tenants/acme/whitelist", sd.admin, map[string]string{"entry": "updates.acme.example", "comment": "patch server"}, nil)
	seedDay(t, testStore, tenant.MustNew(sd.acme), day, sd.acmeEvents, "acme", "10.1", 1)
	seedDay(t, testStore, tenant.MustNew(sd.globex), day, sd.globexEvents, "globex", "10.2", 2)
	// A little of today too, for the overview's cards and trend.
	today := time.Now().UTC().Truncate(24 * time.Hour)
	seedDay(t, testStore, tenant.MustNew(sd.acme), today, 300, "acme", "10.1", 3)
	seedDay(t, testStore, tenant.MustNew(sd.globex), today, 120, "globex", "10.2", 4)
	return sd
}

// TestConsole drives the console in headless Chromium against the real
// collector, API and embedded store: login, the MSSP overview, a day's
// numbers checked against the SQL API, threats, search, triage, export,
// tenant switching, the other pages, and a tenant user's isolation.
func TestConsole(t *testing.T) {
	chromiumPath(t)
	s := startStack(t)
	sd := seedConsole(t, s)
	ctx := browser(t, 4*time.Minute)
	dayURL := func(tn string, q string) string {
		u := s.base + "/ui/#/t/" + tn + "/day/" + sd.day
		if q != "" {
			u += "?" + q
		}
		return u
	}
	waitLoaded := func(tn string) {
		t.Helper()
		waitFor(t, ctx, fmt.Sprintf(`window.__spoor && window.__spoor.loaded && window.__spoor.loaded.tenant === %q && window.__spoor.loaded.day === %q && window.__spoor.rendered === location.hash && document.querySelector('#grid tbody tr[data-uid]')`, tn, sd.day), 30*time.Second)
	}
	resultCount := func() int { return number(t, ctx, "#result-count") }
	// waitCount waits for the grid to show want threats.
	waitCount := func(t *testing.T, want int) {
		t.Helper()
		expr := fmt.Sprintf(`(document.querySelector('#result-count').textContent.match(/^[\d,]+/) || [''])[0].replace(/,/g, '') === %q`, strconv.Itoa(want))
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if _, err := chromedp.Run(sctx, chromedp.Poll[any](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
			t.Fatalf("got %q (search error %q), want %d threats", eval[string](t, ctx, `document.querySelector('#result-count').textContent`),
				eval[string](t, ctx, `document.querySelector('#search-error').textContent`), want)
		}
	}
	// The steps share one browser session: after a failed step the page
	// is in an unknown state, so the rest would only fail noisily.
	step := func(name string, f func(t *testing.T)) {
		if !t.Failed() {
			t.Run(name, f)
		}
	}

	step("login", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(s.base+"/"), chromedp.WaitVisible(chromedp.CSS("#username")))
		// Headless Chromium prefers a light scheme; the console starts dark here
		// and the light theme is shot later.
		eval[bool](t, ctx, `localStorage.setItem('spoor.theme', 'dark'), document.documentElement.dataset.theme = 'dark', true`)
		screenshot(t, ctx, "01-login")
		do(t, ctx, chromedp.SendKeys(chromedp.CSS("#username"), "admin"), chromedp.SendKeys(chromedp.CSS("#password"), "wrong-password"),
			chromedp.Click(chromedp.CSS("#login-submit")))
		waitFor(t, ctx, `document.querySelector('#login-error').textContent.includes('Wrong')`, 10*time.Second)
		setInput(t, ctx, "#password", adminPassword)
		do(t, ctx, chromedp.Click(chromedp.CSS("#login-submit")))
		// An MSSP admin lands on the overview of all tenants.
		waitFor(t, ctx, `location.hash.startsWith('#/overview') && document.querySelector('.tenant-card[data-tenant="acme"]')`, 15*time.Second)
	})

	step("overview", func(t *testing.T) {
		waitFor(t, ctx, `document.querySelectorAll('.tenant-card .trend canvas').length >= 2`, 10*time.Second)
		var ov struct {
			Tenants []struct {
				Tenant          string `json:"tenant"`
				EventsToday     int    `json:"events_today"`
				HighEventsToday int    `json:"high_events_today"`
			} `json:"tenants"`
		}
		s.call(t, "GET", "/overview", sd.admin, nil, &ov)
		for _, tn := range ov.Tenants {
			if tn.Tenant != sd.acme {
				continue
			}
			sel := `.tenant-card[data-tenant="acme"] .tc-stats div:nth-child(1) .big`
			if got := number(t, ctx, sel); got != tn.HighEventsToday {
				t.Errorf("acme high-severity today: got %d on the card, want %d (API)", got, tn.HighEventsToday)
			}
		}
		screenshot(t, ctx, "02-overview")
	})

	step("day numbers match SQL", func(t *testing.T) {
		do(t, ctx, chromedp.Click(chromedp.CSS(`.tenant-card[data-tenant="acme"]`)))
		waitFor(t, ctx, `location.hash.includes('/t/acme/day/')`, 5*time.Second)
		do(t, ctx, chromedp.Navigate(dayURL(sd.acme, "")))
		waitLoaded(sd.acme)
		where := fmt.Sprintf(`toDate(time) = '%s'`, sd.day)
		wantEvents := sqlInt(t, s.sql(t, sd.admin, sd.acme, "SELECT sum(greatest(count, 1)) FROM events WHERE "+where))
		wantSources := sqlInt(t, s.sql(t, sd.admin, sd.acme, "SELECT uniqExact(src_ip_text) FROM events WHERE "+where))
		wantHigh := sqlInt(t, s.sql(t, sd.admin, sd.acme, "SELECT sumIf(greatest(count, 1), severity = 'high') FROM events WHERE "+where))
		if got := number(t, ctx, "#card-events .big"); got != wantEvents {
			t.Errorf("events card: got %d, want %d (SQL)", got, wantEvents)
		}
		if got := number(t, ctx, "#card-sources .big"); got != wantSources {
			t.Errorf("sources card: got %d, want %d (SQL)", got, wantSources)
		}
		if got := number(t, ctx, "#card-severity .sub"); got != wantHigh {
			t.Errorf("high-severity events: got %d, want %d (SQL)", got, wantHigh)
		}
		rows := eval[int](t, ctx, `window.__spoor.loaded.totals.rows`)
		if wantRows := sqlInt(t, s.sql(t, sd.admin, sd.acme, "SELECT count() FROM events WHERE "+where)); rows != wantRows {
			t.Errorf("rows streamed: got %d, want %d (SQL)", rows, wantRows)
		}
		threats := number(t, ctx, "#card-threats .big")
		pills := eval[int](t, ctx, `[...document.querySelectorAll('.pill b')].reduce((a, b) => a + Number(b.textContent.replace(/,/g, '')), 0)`)
		if threats == 0 || pills != threats {
			t.Errorf("threats: got card %d and severity pills summing to %d, want equal and non-zero", threats, pills)
		}
		if got := eval[int](t, ctx, `document.querySelectorAll('#timeline canvas').length`); got == 0 {
			t.Error("got no timeline chart")
		}
		screenshot(t, ctx, "03-day-dark")
	})

	step("grouping rules", func(t *testing.T) {
		floodUID := fmt.Sprintf("%08x", murmur3("...~>ads.malvert-acme.example", 13))[:6] + "F0"
		cases := []struct {
			q    string
			want func() int
		}{
			{"trail:ads.malvert-acme.example", func() int { return 1 }},
			{"uid:" + floodUID, func() int { return 1 }},
			{"uid:*N0", func() int { return 1 }},
			{"uid:*D0", func() int {
				return sqlInt(t, s.sql(t, sd.admin, sd.acme, fmt.Sprintf("SELECT uniqExact(src_ip_text) FROM events WHERE toDate(time) = '%s' AND info LIKE '%% dga %%'", sd.day)))
			}},
			{"src:203.0.113.0/24", func() int {
				return sqlInt(t, s.sql(t, sd.admin, sd.acme, fmt.Sprintf("SELECT uniqExact(src_ip_text) FROM events WHERE toDate(time) = '%s' AND info = 'known attacker'", sd.day)))
			}},
		}
		for _, tc := range cases {
			t.Run(tc.q, func(t *testing.T) {
				do(t, ctx, chromedp.Navigate(dayURL(sd.acme, "q="+tc.q)))
				want := tc.want()
				waitCount(t, want)
			})
		}
	})

	step("search language and chips", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(dayURL(sd.acme, "")))
		waitLoaded(sd.acme)
		all := resultCount()
		do(t, ctx, chromedp.Click(chromedp.CSS("#search")), chromedp.SendKeys(chromedp.CSS("#search"), "type:DNS AND NOT sev:low\r"))
		waitFor(t, ctx, `location.hash.includes('q=type')`, 5*time.Second)
		waitFor(t, ctx, `[...document.querySelectorAll('#grid tbody tr[data-uid]')].length > 0 && [...document.querySelectorAll('#grid tbody tr[data-uid] .type')].every((e) => e.textContent === 'DNS')`, 10*time.Second)
		if got := resultCount(); got >= all || got == 0 {
			t.Errorf("type:DNS AND NOT sev:low: got %d of %d threats, want fewer but some", got, all)
		}
		// A bad query explains itself and keeps the last good view.
		setInput(t, ctx, "#search", "")
		do(t, ctx, chromedp.SendKeys(chromedp.CSS("#search"), "port:abc\r"))
		waitFor(t, ctx, `document.querySelector('#search-error').textContent.includes('not a number')`, 5*time.Second)
		// A chip from a chart: the sources card's top bar.
		setInput(t, ctx, "#search", "")
		do(t, ctx, chromedp.SendKeys(chromedp.CSS("#search"), "\r"))
		waitFor(t, ctx, fmt.Sprintf(`document.querySelector('#result-count').textContent.startsWith(%q)`, fmt.Sprintf("%d threats", all)[:1]), 5*time.Second)
		do(t, ctx, chromedp.Click(chromedp.CSS("#card-sources .bar-row")))
		waitFor(t, ctx, `document.querySelectorAll('#chips .chip').length === 1 && location.hash.includes('chip=src')`, 5*time.Second)
		// Sorting by events puts the biggest threat first.
		do(t, ctx, chromedp.Navigate(dayURL(sd.acme, "sort=count")))
		waitLoaded(sd.acme)
		counts := eval[[]int](t, ctx, `[...document.querySelectorAll('#grid tbody tr[data-uid] td:nth-child(3)')].map((e) => Number(e.textContent.replace(/,/g, '')))`)
		for i := 1; i < len(counts); i++ {
			if counts[i] > counts[i-1] {
				t.Fatalf("sorted by events: got %v, want descending", counts)
			}
		}
	})

	var uid string
	step("threat drawer and triage", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(dayURL(sd.acme, "")))
		waitLoaded(sd.acme)
		uid = eval[string](t, ctx, `document.querySelector('#grid tbody tr[data-uid]').dataset.uid`)
		do(t, ctx, chromedp.Click(chromedp.CSS("#grid tbody tr[data-uid]")), chromedp.WaitVisible(chromedp.CSS("#drawer")))
		if n := eval[int](t, ctx, `document.querySelectorAll('#raw-events tbody tr').length`); n == 0 {
			t.Error("got no raw events in the drawer")
		}
		do(t, ctx, chromedp.Click(chromedp.CSS(`#triage-status [data-status="investigating"]`)),
			chromedp.SendKeys(chromedp.CSS("#tag-input"), "ir-2041\r"),
			chromedp.SendKeys(chromedp.CSS("#triage-notes"), "Host isolated; ticket IR-2041."))
		screenshot(t, ctx, "04-drawer")
		do(t, ctx, chromedp.Click(chromedp.CSS("#triage-save")))
		waitFor(t, ctx, `document.querySelector('#triage-meta').textContent.includes('Saved by mssp/admin')`, 10*time.Second)
		var tr struct {
			Status string   `json:"status"`
			Tags   []string `json:"tags"`
			Notes  string   `json:"notes"`
		}
		// An analyst of the tenant sees the admin's triage.
		s.call(t, "GET", "/tenants/acme/triage/"+uid, sd.analyst, nil, &tr)
		if tr.Status != "investigating" || len(tr.Tags) != 1 || tr.Tags[0] != "ir-2041" || !strings.Contains(tr.Notes, "IR-2041") {
			t.Errorf("triage through the API: got %+v, want investigating, [ir-2041] and the note", tr)
		}
		do(t, ctx, chromedp.KeyEvent("\x1b"))
		waitFor(t, ctx, `!document.querySelector('#drawer')`, 5*time.Second)
		do(t, ctx, chromedp.Navigate(dayURL(sd.acme, "q=status:investigating")))
		waitFor(t, ctx, fmt.Sprintf(`document.querySelector('#result-count').textContent.startsWith('1 of') && document.querySelector('#grid tbody tr[data-uid=%q]')`, uid), 10*time.Second)
	})

	step("export", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(dayURL(sd.acme, "q=type:DNS")))
		waitLoaded(sd.acme)
		waitFor(t, ctx, `document.querySelector('#result-count').textContent.includes(' of ')`, 10*time.Second)
		want := resultCount()
		for _, f := range []string{"csv", "json", "ioc"} {
			do(t, ctx, chromedp.Click(chromedp.CSS("#export")), chromedp.Click(chromedp.CSS(`.menu-list [data-format="`+f+`"]`)))
			waitFor(t, ctx, fmt.Sprintf(`window.__spoor.lastExport && window.__spoor.lastExport.format === %q`, f), 10*time.Second)
			body := eval[string](t, ctx, `window.__spoor.lastExport.body`)
			switch f {
			case "csv":
				lines := strings.Split(strings.TrimSpace(body), "\r\n")
				if !strings.HasPrefix(lines[0], "severity,uid,events,first_seen") || len(lines)-1 != want {
					t.Errorf("CSV: got %d records under %q, want %d", len(lines)-1, lines[0], want)
				}
			case "json":
				var recs []map[string]any
				if err := json.Unmarshal([]byte(body), &recs); err != nil || len(recs) != want || recs[0]["type"] != "DNS" {
					t.Errorf("JSON: got %d records (%v), want %d DNS threats", len(recs), err, want)
				}
			case "ioc":
				if !strings.Contains(body, "acme-c2[.]example[.]net") || strings.Contains(body, "acme-c2.example.net") {
					t.Errorf("IOCs: got %q, want defanged indicators only", body)
				}
			}
		}
	})

	step("MSSP admin switches tenant", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(dayURL(sd.acme, "")))
		waitLoaded(sd.acme)
		waitFor(t, ctx, `[...document.querySelectorAll('select.tenant option')].some((o) => o.value === 'globex')`, 10*time.Second)
		eval[any](t, ctx, `(() => { const s = document.querySelector('select.tenant'); s.value = 'globex'; s.dispatchEvent(new Event('change')); return true; })()`)
		waitLoaded(sd.globex)
		// The tenant picker names every tenant; the view must not show acme's data.
		text := eval[string](t, ctx, `document.querySelector('main.view').innerText`)
		if strings.Contains(text, "acme") {
			i := strings.Index(text, "acme")
			t.Errorf("globex's page shows acme data: %q", text[max(0, i-80):min(len(text), i+80)])
		}
		if !strings.Contains(text, "globex-c2.example.net") {
			t.Error("globex's page does not show globex's threats")
		}
		want := sqlInt(t, s.sql(t, sd.admin, sd.globex, fmt.Sprintf("SELECT sum(greatest(count, 1)) FROM events WHERE toDate(time, '%s') = '%s'", globexZone, sd.day)))
		if got := number(t, ctx, "#card-events .big"); got != want {
			t.Errorf("globex events (%s day): got %d, want %d (SQL)", globexZone, got, want)
		}
		// The hours are Berlin's: the chart's first bar is Berlin's 00:00.
		wantHour0 := sqlInt(t, s.sql(t, sd.admin, sd.globex, fmt.Sprintf("SELECT sum(greatest(count, 1)) FROM events WHERE toDate(time, '%s') = '%s' AND toHour(time, '%s') = 0", globexZone, sd.day, globexZone)))
		if got := eval[int](t, ctx, `window.__spoor.loaded.totals.hours[0]`); got != wantHour0 {
			t.Errorf("globex events in its hour 00: got %d, want %d (SQL)", got, wantHour0)
		}
		if got := eval[string](t, ctx, `document.querySelector('.panel-head h3').textContent`); !strings.Contains(got, globexZone) {
			t.Errorf("timeline title: got %q, want the tenant's zone", got)
		}
	})

	step("pages", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(s.base+"/ui/#/t/acme/sensors"))
		waitFor(t, ctx, `document.querySelectorAll('#sensors tr[data-sensor]').length === 3`, 10*time.Second)
		do(t, ctx, chromedp.SendKeys(chromedp.CSS("#sensor-name"), "branch-office-7"), chromedp.Click(chromedp.CSS("#enroll-submit")))
		waitFor(t, ctx, `document.querySelector('#sensor-credentials') && document.querySelectorAll('#sensors tr[data-sensor]').length === 4`, 10*time.Second)
		screenshot(t, ctx, "05-sensors")
		do(t, ctx, chromedp.Navigate(s.base+"/ui/#/t/acme/trails"))
		waitFor(t, ctx, `document.body.innerText.includes('192.0.2.200:8443') && document.body.innerText.includes('updates.acme.example')`, 10*time.Second)
		screenshot(t, ctx, "06-trails")
		do(t, ctx, chromedp.Navigate(s.base+"/ui/#/t/acme/sql"), chromedp.WaitVisible(chromedp.CSS("#sql-input")))
		setInput(t, ctx, "#sql-input", "SELECT type, severity, sum(count) AS detections, uniqExact(src_ip_text) AS sources FROM events GROUP BY type, severity ORDER BY detections DESC")
		do(t, ctx, chromedp.Click(chromedp.CSS("#sql-run")))
		waitFor(t, ctx, `document.querySelectorAll('#sql-result tbody tr').length > 3 || document.querySelector('#sql-error')`, 15*time.Second)
		if msg := eval[string](t, ctx, `document.querySelector('#sql-error') ? document.querySelector('#sql-error').textContent : ''`); msg != "" {
			t.Fatalf("SQL console: got error %q, want rows", msg)
		}
		screenshot(t, ctx, "07-sql")
		do(t, ctx, chromedp.Navigate(dayURL(sd.acme, "")))
		waitLoaded(sd.acme)
		do(t, ctx, chromedp.Click(chromedp.CSS("#day-button")))
		waitFor(t, ctx, fmt.Sprintf(`document.querySelector('#calendar .cal-day[data-day=%q]:not(.b0)')`, sd.day), 10*time.Second)
		screenshot(t, ctx, "08-calendar")
		do(t, ctx, chromedp.KeyEvent("t"))
		eval[any](t, ctx, `document.querySelector('#calendar')?.remove(), true`)
		waitFor(t, ctx, `document.documentElement.dataset.theme === 'light'`, 5*time.Second)
		screenshot(t, ctx, "09-day-light")
		do(t, ctx, chromedp.KeyEvent("t"))
	})

	step("live mode", func(t *testing.T) {
		today := time.Now().UTC().Format(time.DateOnly)
		do(t, ctx, chromedp.Navigate(s.base+"/ui/#/t/acme/day/"+today+"?live=1"))
		waitFor(t, ctx, fmt.Sprintf(`window.__spoor.loaded && window.__spoor.loaded.day === %q && document.querySelector('#live.on')`, today), 20*time.Second)
		ev := event.Event{Time: time.Now().UTC(), Sensor: "edge-acme-1", SrcIP: "10.1.7.7", SrcPort: "50123", DstIP: "10.1.0.53", DstPort: "53",
			Proto: "UDP", Type: event.TypeDNS, Trail: "live-fresh.example", Info: "lokibot (malware)", Reference: "(static)"}
		// The tail connects asynchronously: publish until the page has it.
		deadline := time.Now().Add(15 * time.Second)
		for !eval[bool](t, ctx, `!!document.querySelector('.fresh:not([hidden])')`) {
			if time.Now().After(deadline) {
				t.Fatal("got no live event in the page within 15 s")
			}
			s.api.Live().Publish(tenant.MustNew(sd.acme), []event.Event{ev})
			time.Sleep(400 * time.Millisecond)
		}
		do(t, ctx, chromedp.Click(chromedp.CSS("#search")), chromedp.SendKeys(chromedp.CSS("#search"), "trail:live-fresh.example\r"))
		waitCount(t, 1)
		screenshot(t, ctx, "10-live")
		do(t, ctx, chromedp.Click(chromedp.CSS("#live")))
		waitFor(t, ctx, `!document.querySelector('#live.on') && !location.hash.includes('live=1')`, 5*time.Second)
	})

	step("login with TOTP", func(t *testing.T) {
		s.call(t, "POST", "/tenants/acme/users", sd.admin, map[string]string{"username": "tina", "password": userPassword, "role": "analyst"}, &map[string]any{})
		tok := s.login(t, "tina", userPassword)
		var setup struct {
			Secret string `json:"secret"`
		}
		s.call(t, "POST", "/auth/totp/setup", tok, map[string]string{}, &setup)
		code, err := totp.Code(setup.Secret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if st := s.call(t, "POST", "/auth/totp/enable", tok, map[string]string{"code": code}, nil); st >= 300 {
			t.Fatalf("enable TOTP: got %d, want 2xx", st)
		}
		do(t, ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#username")),
			chromedp.SendKeys(chromedp.CSS("#username"), "tina"), chromedp.SendKeys(chromedp.CSS("#password"), userPassword),
			chromedp.Click(chromedp.CSS("#login-submit")))
		// The password alone is not enough: the form asks for the code.
		do(t, ctx, chromedp.WaitVisible(chromedp.CSS("#totp")))
		if got := eval[string](t, ctx, `document.querySelector('#login-error').textContent`); !strings.Contains(got, "authenticator") {
			t.Errorf("got message %q, want a request for the authenticator code", got)
		}
		screenshot(t, ctx, "11-login-totp")
		// The enable call used this step's code; the next step's is also valid
		// and not a replay.
		next, err := totp.Code(setup.Secret, time.Now().Add(30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		do(t, ctx, chromedp.SendKeys(chromedp.CSS("#totp"), next), chromedp.Click(chromedp.CSS("#login-submit")))
		waitFor(t, ctx, `location.hash.startsWith('#/t/acme/day/') && document.querySelector('.who').textContent.startsWith('tina')`, 10*time.Second)
	})

	step("tenant user sees only its tenant", func(t *testing.T) {
		// The user lands on its tenant's today, in the tenant's zone: pick
		// a zone whose date differs from UTC's right now.
		zone := "Etc/GMT-14"
		if time.Now().UTC().Hour() < 11 {
			zone = "Etc/GMT+12"
		}
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		if code := s.call(t, "PUT", "/tenants/acme", sd.admin, map[string]string{"time_zone": zone}, &map[string]any{}); code != http.StatusOK {
			t.Fatalf("set acme's time zone: got %d, want 200", code)
		}
		defer s.call(t, "PUT", "/tenants/acme", sd.admin, map[string]string{"time_zone": "UTC"}, &map[string]any{})
		do(t, ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#username")),
			chromedp.SendKeys(chromedp.CSS("#username"), sd.analystName), chromedp.SendKeys(chromedp.CSS("#password"), userPassword),
			chromedp.Click(chromedp.CSS("#login-submit")))
		waitFor(t, ctx, `location.hash.startsWith('#/t/acme/day/')`, 10*time.Second)
		if got, want := eval[string](t, ctx, `location.hash.split('/')[4].split('?')[0]`), time.Now().In(loc).Format(time.DateOnly); got != want {
			t.Errorf("landing day of a tenant in %s: got %s, want %s", zone, got, want)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('a.nav[href="#/overview"]').length`); n != 0 {
			t.Error("an analyst sees the MSSP overview link")
		}
		do(t, ctx, chromedp.Navigate(dayURL(sd.globex, "")))
		waitFor(t, ctx, `location.hash.startsWith('#/t/acme/day/')`, 10*time.Second)
		if code := s.call(t, "GET", "/tenants/globex/events?day="+sd.day, sd.analyst, nil, nil); code != http.StatusForbidden && code != http.StatusNotFound {
			t.Errorf("analyst of acme reading globex's events: got %d, want 403 or 404", code)
		}
	})
}
