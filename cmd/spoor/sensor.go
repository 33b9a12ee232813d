package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/spoorsec/spoor/sensor"
	"github.com/spoorsec/spoor/sensor/capture"
	"github.com/spoorsec/spoor/sensor/heuristic"
	"github.com/spoorsec/spoor/sensor/output"
	"github.com/spoorsec/spoor/sensor/ship"
	"github.com/spoorsec/spoor/sensor/throttle"
	"github.com/spoorsec/spoor/sensor/trailsync"
	"github.com/spoorsec/spoor/trails"
)

// sensorFlags maps configuration keys to the flags that set them.
var sensorFlags = map[string]string{
	"sensor.name":                "name",
	"sensor.read":                "read",
	"sensor.interfaces":          "interface",
	"sensor.capture_filter":      "filter",
	"sensor.snaplen":             "snaplen",
	"sensor.workers":             "workers",
	"sensor.ring_mb":             "ring-mb",
	"sensor.trails":              "trails",
	"sensor.custom_trails_dirs":  "custom-trails",
	"sensor.whitelist":           "whitelist",
	"sensor.ua_file":             "ua-file",
	"sensor.ignore_list":         "ignore-list",
	"sensor.ignore_events_regex": "ignore-events-regex",
	"sensor.log_dir":             "log-dir",
	"sensor.console":             "console",
	"sensor.syslog":              "syslog",
	"sensor.json":                "json",
	"sensor.heuristics":          "heuristics",
	"sensor.disabled_heuristics": "disable-heuristic",
	"sensor.check_host_domains":  "check-host-domains",
	"sensor.check_missing_host":  "check-missing-host",
	"sensor.check_sni":           "check-sni",
	"sensor.check_certs":         "check-certs",
	"sensor.scan_window":         "scan-window",
	"sensor.throttle.mode":       "throttle",
	"sensor.throttle.burst":      "throttle-burst",
	"sensor.throttle.window":     "throttle-window",
	"sensor.timezone":            "timezone",
	"sensor.metrics_listen":      "metrics-listen",
	"sensor.collector":           "collector",
	"sensor.token":               "token",
	"sensor.tenant":              "tenant",
	"sensor.ca":                  "ca",
	"sensor.tls_insecure":        "tls-insecure",
	"sensor.udp_key_id":          "udp-key-id",
	"sensor.udp_key":             "udp-key",
	"sensor.spool_dir":           "spool-dir",
	"sensor.spool_max_mb":        "spool-max-mb",
	"sensor.batch_events":        "batch-events",
	"sensor.batch_linger":        "batch-linger",
	"sensor.ship_timeout":        "ship-timeout",
	"sensor.trails_poll":         "trails-poll",
	"sensor.trails_cache":        "trails-cache",
}

func sensorFlagSet() *pflag.FlagSet {
	fs := pflag.NewFlagSet("sensor", pflag.ContinueOnError)
	host, _ := os.Hostname()
	fs.String("config", "", "YAML configuration file (see spoor.example.yaml)")
	fs.String("name", host, "sensor name written in every event")
	fs.StringSliceP("read", "r", nil, "read packets from pcap/pcapng files (comma-separated; - for standard input) instead of capturing")
	fs.StringSliceP("interface", "i", []string{"any"}, "interfaces to capture on")
	fs.String("filter", capture.DefaultFilter, "BPF capture filter for live capture")
	fs.Int("snaplen", 2000, "bytes captured per packet")
	fs.Int("workers", 1, "packet-processing workers (live: one fanout socket each)")
	fs.Int("ring-mb", 64, "capture ring size per worker, MiB")
	fs.String("trails", "", "trails: a compiled trails.bin, a Maltrail trails.csv file or a trails directory (static/, custom/); with an https --collector, default: the collector's global set")
	fs.StringSlice("custom-trails", nil, "extra directories of custom trail files (*.txt)")
	fs.StringSlice("whitelist", nil, "whitelist files (default: data/whitelist.txt beside the trails directory)")
	fs.String("ua-file", "", "suspicious User-Agent patterns (default: data/ua.txt beside the trails directory)")
	fs.String("ignore-list", "", "ignore rules file: src_ip;src_port;dst_ip;dst_port per line, * for any")
	fs.String("ignore-events-regex", "", "drop events whose Python-style representation matches this regex")
	fs.String("log-dir", "", "directory for Maltrail-format day logs (YYYY-MM-DD.log); empty: no local logs")
	fs.Bool("console", false, "print events to standard output")
	fs.StringSlice("syslog", nil, "CEF over UDP to these host:port targets")
	fs.StringSlice("json", nil, "JSON over UDP to these host:port targets")
	fs.Bool("heuristics", true, "run Maltrail's heuristics")
	fs.StringSlice("disable-heuristic", nil, "heuristics to turn off: "+strings.Join(heuristic.Names(), ", "))
	fs.Bool("check-host-domains", true, "match HTTP Host headers against domain trails")
	fs.Bool("check-missing-host", false, "report HTTP requests without a Host header")
	fs.Bool("check-sni", true, "match TLS and QUIC server names against domain trails")
	fs.Bool("check-certs", true, "match TLS server certificate SHA-1 fingerprints")
	fs.Duration("scan-window", 30*time.Second, "sliding window of the scan heuristics")
	fs.String("throttle", "summarize", "repeated events: summarize (first burst written, the rest as one summary per window), legacy (Maltrail's throttle) or off")
	fs.Int("throttle-burst", 3, "events per (address, trail) written before summarising")
	fs.Duration("throttle-window", 60*time.Second, "throttle window")
	fs.String("timezone", "Local", "time zone of log timestamps and day files (IANA name)")
	fs.String("metrics-listen", "", "serve Prometheus metrics on this address (e.g. 127.0.0.1:9108); empty: off")
	fs.String("collector", "", "ship events to this collector: https://host:port (batches, spooled) or udp://host:port (signed datagrams)")
	fs.String("token", "", "the sensor's bearer token (from enrollment), for https collectors")
	fs.String("tenant", "", "declare this tenant in batches (the collector refuses them if the token belongs to another)")
	fs.String("ca", "", "CA certificate (PEM) to verify the collector with, e.g. its self-signed certificate")
	fs.Bool("tls-insecure", false, "do not verify the collector's certificate (testing only)")
	fs.String("udp-key-id", "", "UDP key ID (from enrollment), for udp collectors")
	fs.String("udp-key", "", "UDP key (from enrollment), for udp collectors")
	fs.String("spool-dir", "", "spool directory for unacknowledged batches (default: per collector and token under /var/lib/spoor/spool, or ~/.local/state/spoor/spool)")
	fs.Int64("spool-max-mb", 256, "spool size bound, MiB (live capture drops, and counts, events beyond it)")
	fs.Int("batch-events", 20_000, "events per batch sent to the collector")
	fs.Duration("batch-linger", time.Second, "longest an event waits for its batch to fill")
	fs.Duration("ship-timeout", 5*time.Minute, "with -r, how long to wait at the end for the collector to acknowledge every event (exit 1 if it does not)")
	fs.Duration("trails-poll", time.Minute, "with an https --collector, fetch the tenant's custom trails and whitelist (and, without --trails, the global set) this often; 0: never")
	fs.String("trails-cache", "", "where trails fetched from the collector are kept for restarts without it (default: per collector and token beside the spool)")
	fs.String("cpuprofile", "", "write a CPU profile of packet processing to this file")
	return fs
}

func runSensor(args []string) error {
	fs := sensorFlagSet()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	v, err := newViper(fs, sensorFlags)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	s, err := buildSensor(v, log)
	if err != nil {
		return err
	}
	defer s.close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if addr := v.GetString("sensor.metrics_listen"); addr != "" {
		if err := s.serveMetrics(ctx, addr, log); err != nil {
			return err
		}
	}
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
	start := time.Now()
	runErr := s.run(ctx, v, log)
	took := time.Since(start)
	if err := s.stage.Flush(); err != nil && runErr == nil {
		runErr = fmt.Errorf("cannot write events: %w", err)
	}
	if err := s.ship.drain(v, log); err != nil && runErr == nil {
		runErr = err
	}
	st := s.engine.Stats()
	ts := s.stage.Stats()
	log.Info("sensor stopped", "packets", st.Packets, "took", took.Round(time.Millisecond),
		"packets_per_sec", int(float64(st.Packets)/took.Seconds()), "not_ip", st.NotIP, "decode_errors", st.DecodeErrors, "events", st.Events,
		"whitelisted", st.Whitelisted, "ignored", st.Ignored, "summarised", ts.Summarised, "condensed", ts.Condensed)
	return runErr
}

type sensorRun struct {
	engine *sensor.Engine
	sync   *trailsync.Syncer // nil: trails are not fetched from a collector
	stage  *throttle.Stage
	sinks  output.Sink
	reg    *prometheus.Registry
	ship   *shipOut
}

// serveMetrics serves /metrics until ctx is done.
func (s *sensorRun) serveMetrics(ctx context.Context, addr string, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot listen for metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "err", err)
		}
	}()
	log.Info("serving metrics", "addr", ln.Addr().String())
	return nil
}

func (s *sensorRun) close() {
	if s.sinks != nil {
		s.sinks.Close()
	}
}

func buildSensor(v *viper.Viper, log *slog.Logger) (*sensorRun, error) {
	trailsPath := v.GetString("sensor.trails")
	fetch := strings.HasPrefix(v.GetString("sensor.collector"), "https://") && v.GetDuration("sensor.trails_poll") > 0
	if trailsPath == "" && !fetch {
		return nil, fmt.Errorf("%w: no trails given (--trails FILE|DIR, or an https --collector to fetch them from)", errUsage)
	}
	dataDir := siblingDataDir(trailsPath)
	wlFiles := splitList(v.GetStringSlice("sensor.whitelist"))
	if len(wlFiles) == 0 && dataDir != "" {
		if f := filepath.Join(dataDir, "whitelist.txt"); fileExists(f) {
			wlFiles = []string{f}
		}
	}
	var wl *trails.Whitelist
	if len(wlFiles) > 0 {
		var err error
		if wl, err = trails.LoadWhitelist(wlFiles...); err != nil {
			return nil, fmt.Errorf("cannot load whitelist: %w", err)
		}
	}
	var set *trails.Set
	if trailsPath != "" {
		start := time.Now()
		var err error
		set, err = trails.Load(trailsPath, trails.LoadOptions{Whitelist: wl, CustomDirs: splitList(v.GetStringSlice("sensor.custom_trails_dirs"))})
		if err != nil {
			return nil, fmt.Errorf("cannot load trails: %w", err)
		}
		log.Info("trails loaded", "path", trailsPath, "trails", set.Len(), "took", time.Since(start).Round(time.Millisecond), "whitelist", wlFiles)
	}
	var syncer *trailsync.Syncer
	if fetch {
		var err error
		if syncer, set, wl, err = bootstrapTrails(v, set, wlFiles, log); err != nil {
			return nil, err
		}
	}
	// Loading leaves far more garbage than the set retains: give it back
	// before capture starts, so the sensor's resident size is its working set.
	runtime.GC()
	debug.FreeOSMemory()

	uaFile := v.GetString("sensor.ua_file")
	if uaFile == "" && dataDir != "" {
		if f := filepath.Join(dataDir, "ua.txt"); fileExists(f) {
			uaFile = f
		}
	}
	var ua *heuristic.UAMatcher
	if uaFile != "" {
		var err error
		if ua, err = heuristic.LoadUA(uaFile); err != nil {
			return nil, fmt.Errorf("cannot load User-Agent patterns: %w", err)
		}
	}
	ignore, err := throttle.LoadIgnoreRules(v.GetString("sensor.ignore_list"), v.GetString("sensor.ignore_events_regex"))
	if err != nil {
		return nil, fmt.Errorf("cannot load ignore rules: %w", err)
	}

	loc, err := time.LoadLocation(v.GetString("sensor.timezone"))
	if err != nil {
		return nil, fmt.Errorf("invalid time zone: %w", err)
	}
	shipper, err := buildShipper(v, log)
	if err != nil {
		return nil, err
	}
	sinks, err := buildSinks(v, loc, shipper.sinks()...)
	if err != nil {
		shipper.close()
		return nil, err
	}
	tcfg := throttle.DefaultConfig()
	tcfg.Mode = v.GetString("sensor.throttle.mode")
	tcfg.Burst = v.GetInt("sensor.throttle.burst")
	tcfg.Window = v.GetDuration("sensor.throttle.window")
	if err := tcfg.Validate(); err != nil {
		sinks.Close()
		return nil, fmt.Errorf("invalid throttle configuration: %w", err)
	}
	stage := throttle.New(tcfg, sinks)

	cfg := sensor.DefaultConfig()
	cfg.Name = v.GetString("sensor.name")
	cfg.Heuristics = v.GetBool("sensor.heuristics")
	cfg.CheckHostDomains = v.GetBool("sensor.check_host_domains")
	cfg.CheckMissingHost = v.GetBool("sensor.check_missing_host")
	cfg.CheckSNI = v.GetBool("sensor.check_sni")
	cfg.CheckCerts = v.GetBool("sensor.check_certs")
	cfg.Trackers.Window = int64(v.GetDuration("sensor.scan_window") / time.Second)
	cfg.Trackers.Disabled = map[string]bool{}
	for _, h := range splitList(v.GetStringSlice("sensor.disabled_heuristics")) {
		cfg.Trackers.Disabled[h] = true
	}
	if err := cfg.Trackers.Validate(); err != nil {
		sinks.Close()
		return nil, fmt.Errorf("invalid heuristics configuration: %w", err)
	}
	engine, err := sensor.New(cfg, sensor.Deps{Trails: set, Whitelist: wl, UA: ua, Ignore: ignore, Out: stage}, log)
	if err != nil {
		sinks.Close()
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := errors.Join(engine.RegisterMetrics(reg), stage.RegisterMetrics(reg), shipper.registerMetrics(reg)); err != nil {
		sinks.Close()
		return nil, fmt.Errorf("cannot register metrics: %w", err)
	}
	if syncer != nil {
		if err := syncer.RegisterMetrics(reg); err != nil {
			sinks.Close()
			return nil, fmt.Errorf("cannot register metrics: %w", err)
		}
	}
	return &sensorRun{engine: engine, sync: syncer, stage: stage, sinks: sinks, reg: reg, ship: shipper}, nil
}

func buildSinks(v *viper.Viper, loc *time.Location, extra ...output.Sink) (output.Sink, error) {
	sinks := extra
	fail := func(err error) (output.Sink, error) {
		for _, s := range sinks {
			s.Close()
		}
		return nil, err
	}
	if dir := v.GetString("sensor.log_dir"); dir != "" {
		d, err := output.NewDayLog(dir, loc)
		if err != nil {
			return fail(fmt.Errorf("cannot open log directory: %w", err))
		}
		sinks = append(sinks, d)
	}
	if v.GetBool("sensor.console") {
		sinks = append(sinks, output.NewConsole(os.Stdout, isTerminal(os.Stdout)))
	}
	host, _ := os.Hostname()
	if t := splitList(v.GetStringSlice("sensor.syslog")); len(t) > 0 {
		s, err := output.NewCEF(t, host, version, time.Now().Format("2006-01-02"))
		if err != nil {
			return fail(fmt.Errorf("cannot set up CEF output: %w", err))
		}
		sinks = append(sinks, s)
	}
	if t := splitList(v.GetStringSlice("sensor.json")); len(t) > 0 {
		s, err := output.NewJSON(t, host)
		if err != nil {
			return fail(fmt.Errorf("cannot set up JSON output: %w", err))
		}
		sinks = append(sinks, s)
	}
	if len(sinks) == 0 {
		return fail(fmt.Errorf("%w: no output: give --log-dir, --collector, --console, --syslog or --json", errUsage))
	}
	return output.Multi(sinks...), nil
}

func (s *sensorRun) run(ctx context.Context, v *viper.Viper, log *slog.Logger) error {
	if s.sync != nil {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go s.sync.Run(ctx, s.engine)
	}
	workers := v.GetInt("sensor.workers")
	if files := splitList(v.GetStringSlice("sensor.read")); len(files) > 0 {
		src, err := capture.OpenFiles(files)
		if err != nil {
			return err
		}
		defer src.Close()
		err = s.engine.Read(ctx, src, workers, s.stage)
		for _, f := range src.Truncated {
			log.Warn("capture ends in the middle of a packet record", "file", f)
		}
		return err
	}
	return s.capture(ctx, v, workers, log)
}

// capture runs live capture: per interface, one fanout socket per worker.
func (s *sensorRun) capture(ctx context.Context, v *viper.Viper, workers int, log *slog.Logger) error {
	if workers < 1 {
		workers = 1
	}
	var lives []*capture.Live
	defer func() {
		for _, l := range lives {
			l.Close()
		}
	}()
	group := uint16(os.Getpid())
	for _, iface := range splitList(v.GetStringSlice("sensor.interfaces")) {
		for i := 0; i < workers; i++ {
			cfg := capture.LiveConfig{
				Interface: iface,
				Filter:    v.GetString("sensor.capture_filter"),
				Snaplen:   v.GetInt("sensor.snaplen"),
				RingBytes: v.GetInt("sensor.ring_mb") << 20,
			}
			if workers > 1 {
				cfg.FanoutGroup = group
			}
			l, err := capture.OpenLive(cfg)
			if err != nil {
				return err
			}
			lives = append(lives, l)
		}
		group++
		log.Info("capturing", "interface", iface, "workers", workers)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(lives))
	for _, l := range lives {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.engine.Read(ctx, l, 1, s.stage); err != nil && !errors.Is(err, context.Canceled) {
				errs <- err
			}
		}()
	}
	captureStats := func() capture.Stats {
		var sum capture.Stats
		for _, l := range lives {
			if st, err := l.Stats(); err == nil {
				sum.Received += st.Received
				sum.Dropped += st.Dropped
			}
		}
		return sum
	}
	s.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "spoor_capture_received_total", Help: "Packets the kernel delivered to the capture sockets."},
			func() float64 { return float64(captureStats().Received) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "spoor_capture_dropped_total", Help: "Packets the kernel dropped because the sensor did not keep up."},
			func() float64 { return float64(captureStats().Dropped) }),
	)
	go s.reportDrops(ctx, captureStats, log)
	wg.Wait()
	close(errs)
	return <-errs
}

// reportDrops logs the kernel's capture counters every minute.
func (s *sensorRun) reportDrops(ctx context.Context, stats func() capture.Stats, log *slog.Logger) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		sum := stats()
		log.Info("capture stats (cumulative)", "received", sum.Received, "dropped", sum.Dropped, "events", s.engine.Stats().Events)
	}
}

// siblingDataDir finds Maltrail's data/ directory next to a trails
// directory (Maltrail's repository layout), or "".
func siblingDataDir(trailsPath string) string {
	st, err := os.Stat(trailsPath)
	if err != nil || !st.IsDir() {
		return ""
	}
	for _, d := range []string{filepath.Join(trailsPath, "..", "data"), filepath.Join(trailsPath, "..", "..", "data")} {
		if fileExists(filepath.Join(d, "whitelist.txt")) || fileExists(filepath.Join(d, "ua.txt")) {
			return filepath.Clean(d)
		}
	}
	return ""
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// shipOut is the sensor's connection to a collector, when one is
// configured: HTTPS batches through a spool, or signed UDP datagrams.
type shipOut struct {
	https    *ship.Shipper
	udp      *ship.UDP
	fileMode bool
}

// buildShipper connects to the configured collector; with none it returns
// an empty shipOut.
func buildShipper(v *viper.Viper, log *slog.Logger) (*shipOut, error) {
	raw := v.GetString("sensor.collector")
	out := &shipOut{fileMode: len(splitList(v.GetStringSlice("sensor.read"))) > 0}
	if raw == "" {
		return out, nil
	}
	if strings.HasPrefix(raw, "udp://") {
		u, err := ship.NewUDP(ship.UDPOptions{Addr: raw, KeyID: v.GetString("sensor.udp_key_id"), Key: v.GetString("sensor.udp_key"),
			Tenant: v.GetString("sensor.tenant"), Logger: log})
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		out.udp = u
		return out, nil
	}
	tok := v.GetString("sensor.token")
	if tok == "" {
		return nil, fmt.Errorf("%w: --collector needs --token", errUsage)
	}
	tlsCfg, err := collectorTLS(v)
	if err != nil {
		return nil, err
	}
	if tlsCfg.InsecureSkipVerify {
		log.Warn("not verifying the collector's TLS certificate (--tls-insecure)")
	}
	spool := v.GetString("sensor.spool_dir")
	if spool == "" {
		spool = defaultSpoolDir(raw, tok)
	}
	overflow := ship.Drop // live capture: never stall the packet path
	if out.fileMode {
		overflow = ship.Block // a file can wait: lose nothing
	}
	sh, err := ship.New(ship.Options{
		URL: raw, Token: tok, Tenant: v.GetString("sensor.tenant"), TLS: tlsCfg,
		SpoolDir: spool, SpoolBytes: v.GetInt64("sensor.spool_max_mb") << 20,
		BatchEvents: v.GetInt("sensor.batch_events"), Linger: v.GetDuration("sensor.batch_linger"),
		Overflow: overflow, Logger: log,
	})
	if err != nil {
		return nil, err
	}
	log.Info("shipping events", "collector", raw, "spool", spool)
	out.https = sh
	return out, nil
}

// defaultSpoolDir keeps one spool per collector and token, so a spool is
// never delivered with another sensor's credential.
func defaultSpoolDir(collectorURL, tok string) string {
	return stateDir("spool", collectorURL, tok)
}

// stateDir is a per collector and token directory of kind (spool, trails)
// under /var/lib/spoor, or the user's state directory when not root.
func stateDir(kind, collectorURL, tok string) string {
	base := filepath.Join("/var/lib/spoor", kind)
	if os.Geteuid() != 0 {
		if d := os.Getenv("XDG_STATE_HOME"); d != "" {
			base = filepath.Join(d, "spoor", kind)
		} else if h, err := os.UserHomeDir(); err == nil {
			base = filepath.Join(h, ".local", "state", "spoor", kind)
		}
	}
	sum := sha256.Sum256([]byte(collectorURL + "\x00" + tok))
	return filepath.Join(base, hex.EncodeToString(sum[:8]))
}

func (o *shipOut) sinks() []output.Sink {
	switch {
	case o.https != nil:
		return []output.Sink{o.https}
	case o.udp != nil:
		return []output.Sink{o.udp}
	}
	return nil
}

// drain delivers what is pending. Reading files, every event must be
// acknowledged within --ship-timeout; capturing live, it waits briefly
// and leaves the rest in the spool for the next start.
func (o *shipOut) drain(v *viper.Viper, log *slog.Logger) error {
	if o.udp != nil {
		err := o.udp.Flush()
		st := o.udp.Stats()
		log.Info("UDP shipping stopped", "events", st.Events, "datagrams", st.Datagrams, "send_errors", st.SendErrors)
		return err
	}
	if o.https == nil {
		return nil
	}
	timeout := 10 * time.Second
	if o.fileMode {
		timeout = v.GetDuration("sensor.ship_timeout")
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := o.https.Flush(ctx)
	st := o.https.Stats()
	log.Info("shipping stopped", "events", st.Events, "acknowledged", st.Acked, "batches", st.AckedBatches,
		"dropped", st.Dropped, "rejected", st.Rejected, "retries", st.Retries, "spooled_batches_left", st.Spool.Records)
	if !o.fileMode {
		if err != nil {
			log.Warn("events left in the spool for the next start", "batches", st.Spool.Records)
		}
		return nil
	}
	switch {
	case err != nil:
		return fmt.Errorf("not every event reached the collector: %w", err)
	case st.Dropped > 0 || st.Rejected > 0:
		return fmt.Errorf("not every event reached the collector: %d dropped, %d refused by it", st.Dropped, st.Rejected)
	}
	return nil
}

func (o *shipOut) registerMetrics(reg prometheus.Registerer) error {
	if o.https == nil {
		return nil
	}
	return o.https.RegisterMetrics(reg)
}

func (o *shipOut) close() {
	if o.https != nil {
		o.https.Close()
	}
	if o.udp != nil {
		o.udp.Close()
	}
}
