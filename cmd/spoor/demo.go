package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/spoorsec/spoor/trafficgen"
	"github.com/spoorsec/spoor/trails"
)

const demoUsage = `usage: spoor demo <command> [flags]

commands:
  gen   write generated traffic as pcap: spoor demo gen --trails PATH [--count N] [--rate N] [--day D] -w FILE|-
        (spoor demo gen ... -w - | spoor sensor -r - ... feeds a sensor)
  run   a live sensor fed by the generator in process: spoor demo run --trails PATH --rate N [sensor flags]

The generator makes mostly benign traffic from internal hosts (DNS, HTTP,
TLS, NTP) with a share of malicious activity drawn from the trail set:
trail domains in DNS, SNI and Host headers, trail URLs, connections to
trail addresses, port and web scans, DGA and NXDOMAIN bursts, tool
User-Agents, attack requests and executable downloads.
`

func runDemo(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, demoUsage)
		return errUsage
	}
	switch args[0] {
	case "gen":
		return runDemoGen(args[1:])
	case "run":
		return runDemoRun(args[1:])
	case "help", "-h", "--help":
		fmt.Print(demoUsage)
		return nil
	}
	fmt.Fprint(os.Stderr, demoUsage)
	return fmt.Errorf("%w: unknown demo command %q", errUsage, args[0])
}

// addGenFlags adds the generator's flags to fs.
func addGenFlags(fs *pflag.FlagSet) {
	fs.Uint64("seed", 1, "random seed: the same seed, trails and flags give the same packets")
	fs.Int64("count", 0, "stop after this many packets (0: run until interrupted; required with --day)")
	fs.Float64("rate", 0, "packets per second, paced in real time (0: as fast as possible)")
	fs.Int("hosts", 24, "internal hosts (2-200)")
	fs.Float64("malicious", 0.2, "share of conversations carrying an indicator or tripping a heuristic (negative: none)")
	fs.Int("per-kind", 200, "trails sampled per kind (domain, URL, address, address:port, attacker, sinkhole)")
}

func genConfig(fs *pflag.FlagSet) trafficgen.Config {
	var c trafficgen.Config
	c.Seed, _ = fs.GetUint64("seed")
	c.Count, _ = fs.GetInt64("count")
	c.Rate, _ = fs.GetFloat64("rate")
	c.Hosts, _ = fs.GetInt("hosts")
	c.Malicious, _ = fs.GetFloat64("malicious")
	c.PerKind, _ = fs.GetInt("per-kind")
	return c
}

func runDemoGen(args []string) error {
	fs := pflag.NewFlagSet("demo gen", pflag.ContinueOnError)
	fs.String("trails", "", "trail set to draw indicators from: trails.bin, trails.csv or a trails directory (empty: benign traffic and heuristics only)")
	fs.StringSlice("whitelist", nil, "whitelist files applied to the trail set (default: data/whitelist.txt beside a trails directory)")
	fs.String("day", "", "back-date the traffic over this UTC day: YYYY-MM-DD, today (until now) or yesterday")
	fs.StringP("write", "w", "", "pcap output file, - for standard output")
	addGenFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	out, _ := fs.GetString("write")
	if out == "" {
		return fmt.Errorf("%w: -w FILE or -w - is required", errUsage)
	}
	cfg := genConfig(fs)
	if day, _ := fs.GetString("day"); day != "" {
		from, to, err := demoDay(day, time.Now())
		if err != nil {
			return err
		}
		if cfg.Rate > 0 {
			return fmt.Errorf("%w: --day and --rate exclude each other", errUsage)
		}
		cfg.From, cfg.To = from, to
	}
	if cfg.Count == 0 && cfg.Rate == 0 {
		return fmt.Errorf("%w: give --count, --rate or both", errUsage)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var set *trails.Set
	if path, _ := fs.GetString("trails"); path != "" {
		wlFiles, _ := fs.GetStringSlice("whitelist")
		var err error
		if set, err = loadDemoTrails(path, splitList(wlFiles)); err != nil {
			return err
		}
	}
	g, err := trafficgen.New(cfg, set)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		g.Close()
	}()
	var w io.Writer = os.Stdout
	if out != "-" {
		f, err := os.Create(out)
		if err != nil {
			return fmt.Errorf("cannot write capture: %w", err)
		}
		defer f.Close()
		w = f
	}
	start := time.Now()
	n, err := trafficgen.WritePcap(w, g)
	took := time.Since(start)
	log.Info("traffic generated", "packets", n, "took", took.Round(time.Millisecond), "packets_per_sec", int(float64(n)/took.Seconds()))
	if err != nil {
		return err
	}
	if f, ok := w.(*os.File); ok && out != "-" {
		if err := f.Close(); err != nil {
			return fmt.Errorf("cannot write capture: %w", err)
		}
	}
	return nil
}

// loadDemoTrails loads a trail set as the sensor does, with the whitelist
// beside a trails directory unless files are given.
func loadDemoTrails(path string, wlFiles []string) (*trails.Set, error) {
	if len(wlFiles) == 0 {
		if d := siblingDataDir(path); d != "" && fileExists(filepath.Join(d, "whitelist.txt")) {
			wlFiles = []string{filepath.Join(d, "whitelist.txt")}
		}
	}
	var wl *trails.Whitelist
	if len(wlFiles) > 0 {
		var err error
		if wl, err = trails.LoadWhitelist(wlFiles...); err != nil {
			return nil, fmt.Errorf("cannot load whitelist: %w", err)
		}
	}
	set, err := trails.Load(path, trails.LoadOptions{Whitelist: wl})
	if err != nil {
		return nil, fmt.Errorf("cannot load trails: %w", err)
	}
	return set, nil
}

// demoDay turns --day into a UTC time span; today ends now.
func demoDay(s string, now time.Time) (from, to time.Time, err error) {
	now = now.UTC()
	today := now.Truncate(24 * time.Hour)
	switch s {
	case "today":
		from = today
	case "yesterday":
		from = today.Add(-24 * time.Hour)
	default:
		if from, err = time.Parse("2006-01-02", s); err != nil {
			return from, to, fmt.Errorf("%w: --day %q: want YYYY-MM-DD, today or yesterday", errUsage, s)
		}
	}
	to = from.Add(24 * time.Hour)
	if to.After(now) {
		to = now
	}
	if !to.After(from) {
		return from, to, fmt.Errorf("%w: --day %s is in the future", errUsage, s)
	}
	return from, to, nil
}

func runDemoRun(args []string) error {
	fs := sensorFlagSet()
	addGenFlags(fs)
	// The generator replaces capture: hide the capture flags.
	for _, name := range []string{"read", "interface", "filter", "snaplen", "ring-mb", "ship-timeout", "cpuprofile"} {
		fs.MarkHidden(name)
	}
	if f := fs.Lookup("name"); f != nil {
		f.DefValue = "demo-sensor"
		f.Value.Set(f.DefValue) // a default: configuration and environment still win
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.Changed("read") || fs.Changed("interface") {
		return fmt.Errorf("%w: demo run reads the generator, not --read or --interface", errUsage)
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
	cfg := genConfig(fs)
	if cfg.Count == 0 && cfg.Rate == 0 {
		return fmt.Errorf("%w: give --rate (live), --count or both", errUsage)
	}
	g, err := trafficgen.New(cfg, s.engine.Trails())
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if addr := v.GetString("sensor.metrics_listen"); addr != "" {
		if err := s.serveMetrics(ctx, addr, log); err != nil {
			return err
		}
	}
	go func() {
		<-ctx.Done()
		g.Close()
	}()
	if s.sync != nil { // trails fetched from the collector stay current, as in sensorRun.run
		syncCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		go s.sync.Run(syncCtx, s.engine)
	}
	in := g.Indicators()
	log.Info("generating traffic", "rate", cfg.Rate, "count", cfg.Count, "hosts", cfg.Hosts, "domains", len(in.Domains), "urls", len(in.URLs),
		"addresses", len(in.Outbound)+len(in.Inbound)+len(in.Services))
	start := time.Now()
	runErr := s.engine.Read(ctx, g, v.GetInt("sensor.workers"), s.stage)
	took := time.Since(start)
	if err := s.stage.Flush(); err != nil && runErr == nil {
		runErr = fmt.Errorf("cannot write events: %w", err)
	}
	if err := s.ship.drain(v, log); err != nil && runErr == nil {
		runErr = err
	}
	st := s.engine.Stats()
	log.Info("demo sensor stopped", "packets", st.Packets, "took", took.Round(time.Millisecond), "events", st.Events)
	return runErr
}
