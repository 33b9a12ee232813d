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
	"regexp"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/spoorsec/spoor/trails"
	"github.com/spoorsec/spoor/trails/feeds"
)

const trailsUsage = `usage: spoor trails <command> [flags]

commands:
  update   fetch Maltrail's feeds and any MISP, STIX and remote custom sources, merge
           them with the static and custom trails as Maltrail's update does, and write
           OUT/trails.bin (compiled, for the sensor) and OUT/trails.csv (Maltrail format)
  import   build a trail set from MISP feeds and STIX bundles alone (no feeds, no static
           trails) and write OUT/trails.bin and OUT/trails.csv
  export   write a trail set (trails.bin, trails.csv or a trail directory) as a Maltrail
           trails.csv, or as a compiled file when --out ends in .bin
  feeds    list Maltrail's feeds and whether they are enabled by default
  stats    print the counts of a trail set

Run 'spoor trails <command> --help' for a command's flags.
`

func runTrails(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, trailsUsage)
		return errUsage
	}
	switch args[0] {
	case "update":
		return runTrailsBuild("update", args[1:])
	case "import":
		return runTrailsBuild("import", args[1:])
	case "export":
		return runTrailsExport(args[1:])
	case "feeds":
		return runTrailsFeeds(args[1:])
	case "stats":
		return runTrailsStats(args[1:])
	case "help", "-h", "--help":
		fmt.Print(trailsUsage)
		return nil
	}
	fmt.Fprint(os.Stderr, trailsUsage)
	return fmt.Errorf("%w: unknown trails command %q", errUsage, args[0])
}

// trailsBuildFlags maps configuration keys to the flags of update and import.
var trailsBuildFlags = map[string]string{
	"trails.out":                 "out",
	"trails.static":              "static",
	"trails.custom_dirs":         "custom-trails",
	"trails.whitelist":           "whitelist",
	"trails.bogon_ranges":        "bogon-ranges",
	"trails.cdn_ranges":          "cdn-ranges",
	"trails.offline":             "offline",
	"trails.feeds":               "feeds",
	"trails.disabled_feeds":      "disable-feeds",
	"trails.custom_urls":         "custom-urls",
	"trails.misp":                "misp",
	"trails.stix":                "stix",
	"trails.import_max_age":      "import-max-age",
	"trails.misp_all_attributes": "misp-all-attributes",
	"trails.ip_minimum_feeds":    "ip-minimum-feeds",
	"trails.disabled_info_regex": "disabled-info-regex",
	"trails.proxy":               "proxy",
	"trails.timeout":             "timeout",
	"trails.retries":             "retries",
	"trails.parallel":            "parallel",
	"trails.cache_dir":           "cache-dir",
	"trails.max_stale":           "max-stale",
}

func trailsBuildFlagSet(cmd string) *pflag.FlagSet {
	fs := pflag.NewFlagSet("trails "+cmd, pflag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: spoor trails %s --out DIR [flags]\n\n", cmd)
		if cmd == "update" {
			fmt.Fprint(os.Stderr, `Fetches Maltrail's feeds (those not disabled), MISP feeds, STIX bundles and remote
custom lists, merges them with the static and custom trails (static > custom > feeds,
Maltrail's priorities and IP_MINIMUM_FEEDS), filters whitelisted, bogon and CDN trails,
and writes OUT/trails.bin and OUT/trails.csv atomically. A failing source never fails
the update: every source's trail count and error are reported. Without a network, run
with --offline. Every flag is also a configuration key under "trails." (see
spoor.example.yaml) and a SPOOR_TRAILS_* environment variable.

`)
		} else {
			fmt.Fprint(os.Stderr, `Builds a trail set from MISP feeds (--misp) and STIX 2.1 bundles (--stix) alone and
writes OUT/trails.bin and OUT/trails.csv atomically. A source is a URL or a local path,
optionally preceded by the reference its trails get: --misp circl=https://www.circl.lu/doc/misp/feed-osint.

`)
		}
		fs.PrintDefaults()
	}
	fs.String("config", "", "YAML configuration file (see spoor.example.yaml)")
	fs.String("out", "", "output directory for trails.bin and trails.csv")
	if cmd == "update" {
		fs.String("static", "", "Maltrail trail directory (static/ and custom/) or static directory; empty: feeds only")
		fs.StringSlice("custom-trails", nil, "extra directories of custom trail files (*.txt)")
		fs.StringSlice("whitelist", nil, "whitelist files (default: data/whitelist.txt beside the trail directory)")
		fs.String("bogon-ranges", "", "bogon networks, dropped from the trails (default: data/bogon_ranges.txt beside the trail directory)")
		fs.String("cdn-ranges", "", "CDN networks, dropped from the trails (default: data/cdn_ranges.txt beside the trail directory)")
		fs.Bool("offline", false, "fetch nothing over the network: static and custom trails and local imports only")
		fs.StringSlice("feeds", nil, "fetch only these feeds, disabled ones included (names as 'spoor trails feeds' lists them); default: every enabled feed")
		fs.StringSlice("disable-feeds", feeds.DefaultDisabled, "feeds not fetched (Maltrail's DISABLED_FEEDS)")
		fs.StringSlice("custom-urls", nil, "remote custom trail lists (Maltrail's CUSTOM_TRAILS_URL)")
		fs.Int("ip-minimum-feeds", trails.DefaultIPMinimumFeeds, "feeds that must list an IPv4 trail no static, custom or imported source provides (1: no minimum)")
		fs.String("disabled-info-regex", "", "drop trails (and skip feeds) whose info matches this regular expression (Maltrail's DISABLED_TRAILS_INFO_REGEX)")
	}
	fs.StringSlice("misp", nil, "MISP feeds: [REF=]URL or directory of manifest.json and events, or one event file")
	fs.StringSlice("stix", nil, "STIX 2.1 bundles: [REF=]URL or file")
	fs.Duration("import-max-age", 0, "leave out MISP events and STIX indicators older than this (0: all)")
	fs.Bool("misp-all-attributes", false, "import MISP attributes not marked for detection (to_ids false) too")
	fs.String("proxy", "", "proxy URL for every request (default: HTTPS_PROXY, HTTP_PROXY, NO_PROXY)")
	fs.Duration("timeout", 30*time.Second, "timeout of one request attempt")
	fs.Int("retries", 2, "further attempts after a transient failure, with exponential backoff")
	fs.Int("parallel", 8, "sources fetched at once")
	fs.String("cache-dir", "", "cache of fetched bodies for conditional requests (default: OUT/.cache)")
	fs.Duration("max-stale", 48*time.Hour, "use a cached copy this old when its source fails (0: never)")
	return fs
}

func runTrailsBuild(cmd string, args []string) error {
	fs := trailsBuildFlagSet(cmd)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	keys := trailsBuildFlags
	if cmd == "import" {
		keys = make(map[string]string)
		for k, f := range trailsBuildFlags {
			if fs.Lookup(f) != nil {
				keys[k] = f
			}
		}
	}
	v, err := newViper(fs, keys)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	return trailsBuild(ctx, cmd, v, os.Stdout, log)
}

// trailsBuild runs update or import with the configuration in v, reporting each
// source on w.
func trailsBuild(ctx context.Context, cmd string, v *viper.Viper, w io.Writer, log *slog.Logger) error {
	out := v.GetString("trails.out")
	if out == "" {
		return fmt.Errorf("%w: no output directory (--out DIR)", errUsage)
	}
	update := cmd == "update"
	offline := update && v.GetBool("trails.offline")

	opts := trails.BuildOptions{Logger: log}
	var disabledInfo *regexp.Regexp
	if update {
		opts.Tree = v.GetString("trails.static")
		opts.CustomDirs = splitList(v.GetStringSlice("trails.custom_dirs"))
		opts.IPMinimumFeeds = v.GetInt("trails.ip_minimum_feeds")
		if opts.IPMinimumFeeds < 1 {
			return fmt.Errorf("%w: --ip-minimum-feeds must be at least 1", errUsage)
		}
		if re := v.GetString("trails.disabled_info_regex"); re != "" {
			var err error
			if disabledInfo, err = regexp.Compile(re); err != nil {
				return fmt.Errorf("%w: invalid --disabled-info-regex: %v", errUsage, err)
			}
			opts.DisabledInfo = disabledInfo
		}
		var err error
		if opts.Whitelist, opts.DropRanges, err = buildFilters(v, opts.Tree); err != nil {
			return err
		}
	}

	cacheDir := v.GetString("trails.cache_dir")
	if cacheDir == "" {
		cacheDir = filepath.Join(out, ".cache")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("cannot create output directory: %w", err)
	}
	client, err := feeds.New(feeds.Config{
		Proxy:    v.GetString("trails.proxy"),
		Timeout:  v.GetDuration("trails.timeout"),
		Retries:  retriesConfig(v.GetInt("trails.retries")),
		Parallel: v.GetInt("trails.parallel"),
		CacheDir: cacheDir,
		MaxStale: v.GetDuration("trails.max_stale"),
	}, log)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}

	start := time.Now()
	var rows []reportRow
	if update {
		sources, skipped, err := selectFeeds(v, offline, disabledInfo)
		if err != nil {
			return err
		}
		rows = append(rows, skipped...)
		for _, r := range client.FetchAll(ctx, sources) {
			rows = append(rows, resultRow(r.Feed.Name, r))
			opts.Feeds = append(opts.Feeds, r.Feed)
		}
	}
	importOpts := feeds.ImportOptions{
		MaxAge:        v.GetDuration("trails.import_max_age"),
		AllAttributes: v.GetBool("trails.misp_all_attributes"),
	}
	imports := []struct {
		kind string
		fn   func(context.Context, string, feeds.ImportOptions) feeds.Result
	}{{"misp", client.ImportMISP}, {"stix", client.ImportSTIX}}
	for _, imp := range imports {
		for _, spec := range splitList(v.GetStringSlice("trails." + imp.kind)) {
			ref, loc := splitImportSpec(spec)
			name := imp.kind + " " + loc
			if offline && strings.Contains(loc, "://") {
				rows = append(rows, reportRow{name: name, status: "skipped (offline)"})
				continue
			}
			o := importOpts
			o.Reference = ref
			r := imp.fn(ctx, loc, o)
			rows = append(rows, resultRow(name, r))
			opts.Feeds = append(opts.Feeds, r.Feed)
		}
	}
	if update {
		for _, u := range splitURLList(v.GetStringSlice("trails.custom_urls")) {
			if offline {
				rows = append(rows, reportRow{name: "custom " + u, status: "skipped (offline)"})
				continue
			}
			r := client.RemoteCustom(ctx, u)
			rows = append(rows, resultRow("custom "+u, r))
			opts.RemoteCustom = append(opts.RemoteCustom, r.Feed)
		}
	}
	fetched := time.Since(start)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("trails %s interrupted: %w", cmd, err)
	}
	writeReport(w, rows)

	start = time.Now()
	set, err := trails.Build(opts)
	if err != nil {
		return err
	}
	built := time.Since(start)
	if set.Len() == 0 {
		// Maltrail keeps the previous trails.csv rather than write an empty one.
		return errors.New("no trails built: nothing written, previous files kept")
	}
	start = time.Now()
	binPath, csvPath := filepath.Join(out, "trails.bin"), filepath.Join(out, "trails.csv")
	if err := set.SaveCompiled(binPath); err != nil {
		return err
	}
	if err := set.SaveCSV(csvPath); err != nil {
		return err
	}
	st := set.Stats()
	log.Info("trails written", "trails", set.Len(), "domains_urls", st.Strings, "ipv4", st.IPv4, "ipv4_port", st.IPv4Port,
		"ipv6", st.IPv6+st.IPv6Port, "networks", st.CIDR, "fetch", fetched.Round(time.Millisecond),
		"build", built.Round(time.Millisecond), "write", time.Since(start).Round(time.Millisecond),
		"compiled", binPath, "csv", csvPath)
	return nil
}

// retriesConfig turns the flag's count (0 = none) into feeds.Config.Retries (0 = default).
func retriesConfig(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

// buildFilters loads the whitelist and the bogon and CDN ranges: the files configured,
// else those of data/ beside the trail directory.
func buildFilters(v *viper.Viper, tree string) (*trails.Whitelist, *trails.Ranges, error) {
	dataDir := ""
	if tree != "" {
		dataDir = siblingDataDir(tree)
		if dataDir == "" {
			dataDir = siblingDataDir(filepath.Join(tree, "static"))
		}
	}
	beside := func(name string) string {
		if dataDir != "" && fileExists(filepath.Join(dataDir, name)) {
			return filepath.Join(dataDir, name)
		}
		return ""
	}
	wlFiles := splitList(v.GetStringSlice("trails.whitelist"))
	if len(wlFiles) == 0 {
		if f := beside("whitelist.txt"); f != "" {
			wlFiles = []string{f}
		}
	}
	var wl *trails.Whitelist
	if len(wlFiles) > 0 {
		var err error
		if wl, err = trails.LoadWhitelist(wlFiles...); err != nil {
			return nil, nil, err
		}
	}
	var rangeFiles []string
	for key, name := range map[string]string{"trails.bogon_ranges": "bogon_ranges.txt", "trails.cdn_ranges": "cdn_ranges.txt"} {
		f := v.GetString(key)
		if f == "" {
			f = beside(name)
		}
		if f != "" {
			rangeFiles = append(rangeFiles, f)
		}
	}
	slices.Sort(rangeFiles)
	var ranges *trails.Ranges
	if len(rangeFiles) > 0 {
		var err error
		if ranges, err = trails.LoadRanges(rangeFiles...); err != nil {
			return nil, nil, err
		}
	}
	return wl, ranges, nil
}

// selectFeeds picks the Maltrail feeds to fetch, and reports those it leaves out.
func selectFeeds(v *viper.Viper, offline bool, disabledInfo *regexp.Regexp) ([]feeds.Source, []reportRow, error) {
	all := feeds.Maltrail()
	only := splitList(v.GetStringSlice("trails.feeds"))
	disabled := splitList(v.GetStringSlice("trails.disabled_feeds"))
	known := func(name string) bool {
		return slices.ContainsFunc(all, func(s feeds.Source) bool { return s.Name == name })
	}
	for _, n := range append(slices.Clone(only), disabled...) {
		if !known(n) {
			return nil, nil, fmt.Errorf("%w: unknown feed %q (see 'spoor trails feeds')", errUsage, n)
		}
	}
	var sources []feeds.Source
	var skipped []reportRow
	for _, s := range all {
		status := ""
		switch {
		case len(only) > 0 && !slices.Contains(only, s.Name):
			continue
		case slices.Contains(disabled, s.Name) && !slices.Contains(only, s.Name):
			status = "disabled"
		case offline:
			status = "skipped (offline)"
		case disabledInfo != nil && disabledInfo.MatchString(s.Info):
			status = "skipped (info disabled)"
		}
		if status != "" {
			skipped = append(skipped, reportRow{name: s.Name, status: status})
			continue
		}
		sources = append(sources, s)
	}
	return sources, skipped, nil
}

// splitImportSpec splits "[REF=]LOCATION".
func splitImportSpec(spec string) (ref, loc string) {
	if i := strings.IndexByte(spec, '='); i > 0 && !strings.ContainsAny(spec[:i], ":/\\?") {
		return spec[:i], spec[i+1:]
	}
	return "", spec
}

// splitURLList splits CUSTOM_TRAILS_URL lists, which Maltrail separates with ',' or ';'.
func splitURLList(items []string) []string {
	var out []string
	for _, it := range splitList(items) {
		for _, u := range strings.Split(it, ";") {
			if u = strings.TrimSpace(u); u != "" {
				out = append(out, u)
			}
		}
	}
	return out
}

type reportRow struct {
	name   string
	trails int
	status string
}

func resultRow(name string, r feeds.Result) reportRow {
	row := reportRow{name: name, trails: len(r.Feed.Trails), status: "ok"}
	switch {
	case r.Stale:
		row.status = "stale: " + oneLine(r.Err)
	case r.Err != nil:
		row.status = "error: " + oneLine(r.Err)
	case r.NotModified:
		row.status = "ok (not modified)"
	}
	return row
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }

func writeReport(w io.Writer, rows []reportRow) {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tTRAILS\tSTATUS")
	failed := 0
	for _, r := range rows {
		n := "-"
		if r.trails > 0 || strings.HasPrefix(r.status, "ok") {
			n = fmt.Sprint(r.trails)
		}
		if strings.HasPrefix(r.status, "error") || strings.HasPrefix(r.status, "stale") {
			failed++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.name, n, r.status)
	}
	tw.Flush()
	if failed > 0 {
		fmt.Fprintf(w, "%d of %d sources failed; the trails were built from the rest\n", failed, len(rows))
	}
}

func runTrailsExport(args []string) error {
	fs := pflag.NewFlagSet("trails export", pflag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(os.Stderr, "usage: spoor trails export --trails PATH --out FILE\n\n"+
			"Writes a trail set (compiled trails.bin, trails.csv, or a Maltrail trail directory,\n"+
			"filtered with the data/ files beside it) as a Maltrail trails.csv, or as a compiled\n"+
			"file when FILE ends in .bin. The file is replaced atomically.\n\n")
		fs.PrintDefaults()
	}
	path := fs.String("trails", "", "trail set to export")
	out := fs.String("out", "", "output file (.csv: Maltrail trails.csv; .bin: compiled)")
	wlFiles := fs.StringSlice("whitelist", nil, "drop trails these whitelist files list")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *path == "" || *out == "" {
		return fmt.Errorf("%w: export needs --trails PATH and --out FILE", errUsage)
	}
	set, err := loadTrailSet(*path, splitList(*wlFiles))
	if err != nil {
		return err
	}
	if strings.HasSuffix(*out, ".bin") {
		return set.SaveCompiled(*out)
	}
	return set.SaveCSV(*out)
}

// loadTrailSet loads a trail file, or a trail directory with Maltrail's build filters
// from the data/ directory beside it.
func loadTrailSet(path string, wlFiles []string) (*trails.Set, error) {
	opts := trails.LoadOptions{}
	v := viper.New()
	v.Set("trails.whitelist", wlFiles)
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		var err error
		if opts.Whitelist, opts.DropRanges, err = buildFilters(v, path); err != nil {
			return nil, err
		}
	} else if len(wlFiles) > 0 {
		var err error
		if opts.Whitelist, err = trails.LoadWhitelist(wlFiles...); err != nil {
			return nil, err
		}
	}
	return trails.Load(path, opts)
}

func runTrailsFeeds(args []string) error {
	fs := pflag.NewFlagSet("trails feeds", pflag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "FEED\tDEFAULT\tINFO\tREFERENCE\tURL")
	for _, s := range feeds.Maltrail() {
		state := "enabled"
		if s.Disabled {
			state = "disabled"
		}
		info := s.Info
		if info == "" {
			info = "(per trail)"
		}
		ref := s.Reference
		if ref == "" {
			ref = "(per trail)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Name, state, info, ref, s.URL)
	}
	return tw.Flush()
}

func runTrailsStats(args []string) error {
	fs := pflag.NewFlagSet("trails stats", pflag.ContinueOnError)
	path := fs.String("trails", "", "trail set: trails.bin, trails.csv or a trail directory")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *path == "" {
		return fmt.Errorf("%w: stats needs --trails PATH", errUsage)
	}
	start := time.Now()
	set, err := loadTrailSet(*path, nil)
	if err != nil {
		return err
	}
	took := time.Since(start)
	st := set.Stats()
	tw := tabwriter.NewWriter(os.Stdout, 0, 8, 2, ' ', 0)
	for _, r := range []struct {
		k string
		v any
	}{
		{"trails", set.Len()}, {"domains and URLs", st.Strings}, {"wildcards", st.Wildcards},
		{"IPv4", st.IPv4}, {"IPv4:port", st.IPv4Port}, {"IPv6", st.IPv6}, {"[IPv6]:port", st.IPv6Port},
		{"networks", st.CIDR}, {"info/reference pairs", st.Pairs}, {"table bytes", st.TableBytes},
		{"load time", took.Round(time.Millisecond)},
	} {
		fmt.Fprintf(tw, "%s\t%v\n", r.k, r.v)
	}
	return tw.Flush()
}
