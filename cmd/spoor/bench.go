package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/spoorsec/spoor/auth/token"
	"github.com/spoorsec/spoor/collector"
	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/ingest"
	"github.com/spoorsec/spoor/sensor/ship"
	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

const benchUsage = `usage: spoor bench <ingest|ship> [flags]

  ingest  end-to-end ingest into an in-process collector and embedded engine
          (loopback): --mode https sends pre-encoded batches as fast as the
          collector acknowledges them; --mode udp sends signed datagrams at
          --rate events/s. Stored events are counted at the end.
  ship    push synthetic events through the sensor's shipper and spool to a
          collector (--collector, --token), printing progress as JSON lines;
          --events 0 only drains the spool.
`

func runBench(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, benchUsage)
		return errUsage
	}
	switch args[0] {
	case "ingest":
		return runBenchIngest(args[1:])
	case "ship":
		return runBenchShip(args[1:])
	case "help", "-h", "--help":
		fmt.Print(benchUsage)
		return nil
	}
	fmt.Fprint(os.Stderr, benchUsage)
	return fmt.Errorf("%w: unknown bench command %q", errUsage, args[0])
}

// benchInfos and benchRefs are the kinds of info and reference text
// Maltrail's trails carry.
var (
	benchInfos = []string{"malware", "known attacker", "suspicious http request", "potential web scan", "emotet (malware)",
		"cobalt strike (malware)", "tor exit node", "mass scanner", "dynamic domain", "bad reputation (suspicious)",
		"parking site (suspicious)", "sinkhole response (malware)", "potential infection", "suspicious long domain"}
	benchRefs = []string{"(static)", "(custom)", "(heuristic)", "abuse.ch", "alienvault.com", "emergingthreats.net"}
	benchUAs  = []string{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
		"curl/8.5.0", "python-requests/2.31.0", "Go-http-client/1.1", "masscan/1.3 (https://github.com/robertdavidgraham/masscan)"}
)

// benchEvent is synthetic event i of a run: a realistic mix of DNS, URL,
// TLS and IP detections with their context, different addresses, ports
// and names, the trail naming the run and the event so deliveries can be
// counted.
func benchEvent(tag string, i int, at time.Time) event.Event {
	r := rand.New(rand.NewPCG(uint64(i), 0x5eed))
	ip := func(a int) string {
		return strconv.Itoa(a) + "." + strconv.Itoa(r.IntN(256)) + "." + strconv.Itoa(r.IntN(256)) + "." + strconv.Itoa(1+r.IntN(254))
	}
	e := event.Event{
		Time: at, Sensor: "bench-" + strconv.Itoa(r.IntN(4)), SrcIP: ip(10), SrcPort: strconv.Itoa(1024 + r.IntN(64000)),
		DstIP: ip(1 + r.IntN(223)), Info: benchInfos[r.IntN(len(benchInfos))], Reference: benchRefs[r.IntN(len(benchRefs))], Count: 1 + r.IntN(2),
	}
	name := tag + "-" + strconv.Itoa(i) + ".example.com"
	switch i % 4 {
	case 0:
		e.DstPort, e.Proto, e.Type, e.Trail = "53", "UDP", event.TypeDNS, name
		e.Context = event.Context{DNSQType: uint16(1 + r.IntN(28)), DNSRcode: int8(r.IntN(4) - 1)}
	case 1:
		path := "/" + strconv.FormatUint(r.Uint64(), 36) + "/index.php?id=" + strconv.Itoa(r.IntN(1e6))
		e.DstPort, e.Proto, e.Type, e.Trail = "80", "TCP", event.TypeURL, name+path
		e.Context = event.Context{HTTPMethod: "GET", HTTPHost: name, HTTPURI: path, HTTPUserAgent: benchUAs[r.IntN(len(benchUAs))]}
	case 2:
		e.DstPort, e.Proto, e.Type, e.Trail = "443", "TCP", event.TypeDNS, name
		e.Context = event.Context{TLSSNI: name, JA4: "t13d1516h2_8daaf6152771_" + strconv.FormatUint(r.Uint64()%1e12, 16)}
	default:
		e.DstPort, e.Proto, e.Type, e.Trail = strconv.Itoa(1+r.IntN(65535)), "TCP", event.TypeIP, name
	}
	return e
}

func benchLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func runBenchIngest(args []string) error {
	fs := pflag.NewFlagSet("bench ingest", pflag.ContinueOnError)
	addStoreFlags(fs)
	fs.String("mode", "https", "https or udp")
	fs.Int("events", 3_000_000, "https: events to send in total")
	fs.Int("batch", 20_000, "https: events per batch")
	fs.Int("conns", 2, "https: batches in flight")
	fs.String("encoding", "zstd", "https: zstd, gzip or identity")
	fs.Int("rate", 20_000, "udp: events per second")
	fs.Duration("duration", 10*time.Second, "udp: how long to send")
	fs.Int("udp-datagram", 1400, "udp: largest datagram, bytes")
	fs.String("cpuprofile", "", "write a CPU profile of the timed part to this file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	v, err := newViper(fs, storeFlags)
	if err != nil {
		return err
	}
	if v.GetString("store.data_dir") == "" && v.GetString("store.dsn") == "" {
		dir, err := os.MkdirTemp("", "spoor-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		v.Set("store.data_dir", dir)
	}
	log := benchLogger()
	st, err := openStore(v, log)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	b, err := newBenchEnv(ctx, st.Store)
	if err != nil {
		return err
	}
	mode, _ := fs.GetString("mode")
	conns, _ := fs.GetInt("conns")
	c, err := collector.New(collector.Config{Listen: "127.0.0.1:0", UDPListen: "127.0.0.1:0", MaxInFlight: conns},
		st.Store, collector.Options{Logger: log})
	if err != nil {
		return err
	}
	if err := c.Start(); err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c.Shutdown(sctx)
	}()
	switch mode {
	case "https":
		return b.https(ctx, c, fs)
	case "udp":
		return b.udp(ctx, c, fs)
	}
	return fmt.Errorf("%w: --mode %q: want https or udp", errUsage, mode)
}

// benchEnv is a tenant and an enrolled sensor in the bench's store.
type benchEnv struct {
	st     *store.Store
	tenant tenant.ID
	sensor store.Sensor
	token  string
}

func newBenchEnv(ctx context.Context, st *store.Store) (*benchEnv, error) {
	id, err := token.NewID("bench-")
	if err != nil {
		return nil, err
	}
	t := tenant.MustNew(id)
	if err := st.PutTenant(ctx, store.Tenant{ID: t, Name: "bench"}); err != nil {
		return nil, err
	}
	tok, _ := token.New(token.Sensor)
	kid, key, err := token.NewUDPKey()
	if err != nil {
		return nil, err
	}
	s := store.Sensor{ID: "bench", Name: "bench", TokenHash: token.Hash(tok), UDPKeyID: kid, UDPKey: key}
	if err := st.PutSensor(ctx, t, s); err != nil {
		return nil, err
	}
	return &benchEnv{st: st, tenant: t, sensor: s, token: tok}, nil
}

// stored counts the bench tenant's stored events.
func (b *benchEnv) stored(ctx context.Context) (uint64, error) {
	days, err := b.st.CountsPerDay(ctx, b.tenant, time.Now().Add(-48*time.Hour), time.Now().Add(48*time.Hour))
	if err != nil {
		return 0, err
	}
	var n uint64
	for _, d := range days {
		n += d.Rows
	}
	return n, nil
}

func (b *benchEnv) https(ctx context.Context, c *collector.Collector, fs *pflag.FlagSet) error {
	total, _ := fs.GetInt("events")
	size, _ := fs.GetInt("batch")
	conns, _ := fs.GetInt("conns")
	encName, _ := fs.GetString("encoding")
	enc, err := ingest.ParseEncoding(encName)
	if err != nil || size <= 0 || total <= 0 || conns <= 0 {
		return fmt.Errorf("%w: bad --events, --batch, --conns or --encoding", errUsage)
	}
	// Batches are encoded and compressed before the clock starts: the
	// figure is the collector's (TLS, inflate, decode, store, answer), not
	// the sensor's.
	fmt.Fprintf(os.Stderr, "encoding %d events in batches of %d (%s)...\n", total, size, enc)
	var bodies [][]byte
	var wire int
	now := time.Now()
	var bld ingest.Builder
	var raw []byte
	for i := 0; i < total; i += size {
		bld.Reset()
		for j := i; j < min(i+size, total); j++ {
			e := benchEvent("h", j, now.Add(time.Duration(j)*time.Microsecond))
			bld.Add(&e)
		}
		raw = bld.AppendBatch(raw[:0], &ingest.Header{ID: "bench-" + strconv.Itoa(i), Created: time.Now()})
		z, err := ingest.Compress(nil, enc, raw)
		if err != nil {
			return err
		}
		wire += len(z)
		bodies = append(bodies, z)
	}
	pool := x509.NewCertPool()
	cert, _ := x509.ParseCertificate(c.Certificate().Certificate[0])
	pool.AddCert(cert)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, MaxIdleConnsPerHost: conns}}
	url := "https://" + c.Addr().String() + collector.IngestPath

	if path, _ := fs.GetString("cpuprofile"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("cannot write CPU profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cannot start CPU profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	var next, acked atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	start := time.Now()
	done := make(chan struct{})
	go reportRate(&acked, start, done)
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(bodies) {
					return
				}
				n, err := postBench(ctx, client, url, b.token, enc, bodies[i])
				if err != nil {
					errs <- err
					return
				}
				acked.Add(int64(n))
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	close(done)
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	stored, err := b.stored(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("https: %d events in %d batches of %d (%s, %.1f wire bytes/event), %d in flight: %v, %.0f events/s acknowledged end to end; stored %d\n",
		acked.Load(), len(bodies), size, enc, float64(wire)/float64(total), conns, took.Round(time.Millisecond),
		float64(acked.Load())/took.Seconds(), stored)
	if stored != uint64(acked.Load()) {
		return fmt.Errorf("stored %d events, acknowledged %d", stored, acked.Load())
	}
	return nil
}

// reportRate prints the events acknowledged in each second.
func reportRate(acked *atomic.Int64, start time.Time, done <-chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	var last int64
	var rates []int64
	for {
		select {
		case <-done:
			if len(rates) > 2 {
				sorted := append([]int64(nil), rates...)
				sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
				fmt.Fprintf(os.Stderr, "per-second: min %d, median %d, max %d events/s\n", sorted[0], sorted[len(sorted)/2], sorted[len(sorted)-1])
			}
			return
		case <-t.C:
		}
		n := acked.Load()
		rates = append(rates, n-last)
		fmt.Fprintf(os.Stderr, "%3ds  %8d events/s\n", int(time.Since(start).Seconds()+0.5), n-last)
		last = n
	}
}

func postBench(ctx context.Context, client *http.Client, url, tok string, enc ingest.Encoding, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", ingest.ContentType)
	if enc != ingest.Identity {
		req.Header.Set("Content-Encoding", string(enc))
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("collector answered %d: %s", resp.StatusCode, raw)
	}
	var a struct{ Events int }
	if err := json.Unmarshal(raw, &a); err != nil {
		return 0, fmt.Errorf("bad answer %q: %w", raw, err)
	}
	return a.Events, nil
}

func (b *benchEnv) udp(ctx context.Context, c *collector.Collector, fs *pflag.FlagSet) error {
	rate, _ := fs.GetInt("rate")
	dur, _ := fs.GetDuration("duration")
	dsize, _ := fs.GetInt("udp-datagram")
	if rate <= 0 || dur <= 0 {
		return fmt.Errorf("%w: bad --rate or --duration", errUsage)
	}
	u, err := ship.NewUDP(ship.UDPOptions{Addr: c.UDPAddr().String(), KeyID: b.sensor.UDPKeyID, Key: b.sensor.UDPKey,
		MaxDatagram: dsize, Logger: benchLogger()})
	if err != nil {
		return err
	}
	// Paced in 1 ms steps: the sender keeps to rate × elapsed.
	start := time.Now()
	sent := 0
	for {
		elapsed := time.Since(start)
		if elapsed >= dur {
			break
		}
		target := int(float64(rate) * elapsed.Seconds())
		for ; sent < target; sent++ {
			e := benchEvent("u", sent, time.Now())
			u.Write(&e)
		}
		time.Sleep(time.Millisecond)
	}
	took := time.Since(start)
	if err := u.Close(); err != nil {
		return err
	}
	st := u.Stats()
	// Let the collector store what it holds (it stores UDP events every
	// 500 ms), then count.
	var stored uint64
	deadline := time.Now().Add(30 * time.Second)
	for {
		time.Sleep(time.Second)
		n, err := b.stored(ctx)
		if err != nil {
			return err
		}
		if n == stored && n > 0 || n >= uint64(sent) || time.Now().After(deadline) {
			stored = n
			break
		}
		stored = n
	}
	loss := 100 * (1 - float64(stored)/float64(sent))
	fmt.Printf("udp: sent %d events in %d datagrams over %v (%.0f events/s, %d send errors); stored %d; loss %.3f%%\n",
		sent, st.Datagrams, took.Round(time.Millisecond), float64(sent)/took.Seconds(), st.SendErrors, stored, loss)
	return nil
}

func runBenchShip(args []string) error {
	fs := pflag.NewFlagSet("bench ship", pflag.ContinueOnError)
	fs.String("collector", "", "collector URL, https://host:port")
	fs.String("token", "", "sensor token")
	fs.String("ca", "", "CA certificate (PEM) of the collector")
	fs.Bool("tls-insecure", false, "do not verify the collector's certificate")
	fs.String("spool-dir", "", "spool directory (required)")
	fs.Int64("spool-max-mb", 256, "spool size bound, MiB")
	fs.Int("events", 100_000, "events to write (0: only deliver what the spool holds)")
	fs.Int("start", 0, "number of the first event (to continue a run)")
	fs.Int("rate", 0, "events per second (0: as fast as the shipper takes them)")
	fs.String("tag", "ship", "prefix of the events' trails")
	fs.Int("batch-events", 10_000, "events per batch")
	fs.Duration("batch-linger", 200*time.Millisecond, "longest an event waits for its batch")
	fs.Duration("timeout", 5*time.Minute, "how long to wait at the end for every event to be acknowledged")
	fs.Duration("progress", 100*time.Millisecond, "progress line interval")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	get := func(name string) string { s, _ := fs.GetString(name); return s }
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if ca := get("ca"); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("%w: %s holds no PEM certificate", errUsage, ca)
		}
		tlsCfg.RootCAs = pool
	}
	tlsCfg.InsecureSkipVerify, _ = fs.GetBool("tls-insecure")
	if get("spool-dir") == "" {
		return fmt.Errorf("%w: --spool-dir is required", errUsage)
	}
	spoolMB, _ := fs.GetInt64("spool-max-mb")
	batch, _ := fs.GetInt("batch-events")
	linger, _ := fs.GetDuration("batch-linger")
	sh, err := ship.New(ship.Options{URL: get("collector"), Token: get("token"), TLS: tlsCfg, SpoolDir: get("spool-dir"),
		SpoolBytes: spoolMB << 20, BatchEvents: batch, Linger: linger, Overflow: ship.Block, Logger: benchLogger(),
		MinBackoff: 100 * time.Millisecond, MaxBackoff: 2 * time.Second})
	if err != nil {
		return err
	}
	defer sh.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	n, _ := fs.GetInt("events")
	first, _ := fs.GetInt("start")
	rate, _ := fs.GetInt("rate")
	every, _ := fs.GetDuration("progress")
	out := json.NewEncoder(os.Stdout)
	progress := func(final bool) {
		s := sh.Stats()
		out.Encode(map[string]any{"written": s.Events, "spooled": s.Spooled, "acked": s.Acked, "dropped": s.Dropped,
			"rejected": s.Rejected, "spool_batches": s.Spool.Records, "final": final})
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				progress(false)
			}
		}
	}()
	start := time.Now()
	tag := get("tag")
	for i := 0; i < n && ctx.Err() == nil; i++ {
		if rate > 0 {
			if ahead := time.Duration(float64(i)/float64(rate)*float64(time.Second)) - time.Since(start); ahead > 0 {
				time.Sleep(ahead)
			}
		}
		e := benchEvent(tag, first+i, time.Now())
		sh.Write(&e)
	}
	timeout, _ := fs.GetDuration("timeout")
	fctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err = sh.Flush(fctx)
	close(done)
	progress(true)
	if err != nil {
		return err
	}
	if s := sh.Stats(); s.Dropped > 0 || s.Rejected > 0 {
		return fmt.Errorf("%d events dropped, %d refused", s.Dropped, s.Rejected)
	}
	return nil
}
