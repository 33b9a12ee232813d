package trails

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
)

// LoadOptions controls Load and LoadCSV.
type LoadOptions struct {
	// Whitelist: whitelisted trails are dropped at load, as Maltrail does; nil = none.
	// A compiled file is used as it is unless the whitelist names some of its trails.
	Whitelist *Whitelist
	// CustomDirs are extra Maltrail-style custom trail directories: *.txt files whose
	// trails get the file's name as info and "(custom)" as reference.
	CustomDirs []string
	// DropRanges applies, to trail directories, Maltrail's build-time filter of
	// data/bogon_ranges.txt and data/cdn_ranges.txt: a trail whose leading IPv4 address
	// lies in one of these networks is dropped unless its info mentions parking or
	// sinkhole. A trails.csv or compiled file was filtered when it was built and is not
	// filtered again.
	DropRanges *Ranges
	// Logger receives load warnings (bad lines, wildcard trails that do not compile);
	// nil means slog.Default().
	Logger *slog.Logger
}

func (o LoadOptions) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.Default()
}

// Load reads a compiled trail file (written by WriteCompiled, recognised by its magic),
// a Maltrail trails.csv file, or a Maltrail trail directory: a tree holding
// static/ (and optionally custom/), or a static directory itself, with
// {malware,malicious,suspicious}/*.txt and mass_scanner*.txt files. A directory is turned
// into trails the way Maltrail's update builds trails.csv from its static and custom
// feeds, including info and reference derivation, merge priorities and key
// normalisation.
func Load(path string, opts LoadOptions) (*Set, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cannot load trails: %w", err)
	}
	if !fi.IsDir() {
		if len(opts.CustomDirs) > 0 {
			return nil, fmt.Errorf("cannot load trails from %s: custom directories need a trail directory, not a trail file", path)
		}
		data, err := readFileAligned(path)
		if err != nil {
			return nil, fmt.Errorf("cannot load trails: %w", err)
		}
		load := loadCSV
		if isCompiled(data) {
			load = loadCompiled
		}
		s, err := load(data, opts)
		if err != nil {
			return nil, fmt.Errorf("cannot load trails from %s: %w", path, err)
		}
		return s, nil
	}
	s, err := loadTree(path, opts)
	if err != nil {
		return nil, fmt.Errorf("cannot load trails from %s: %w", path, err)
	}
	return s, nil
}

// LoadCSV reads a Maltrail trails.csv: rows of trail,info,reference as written by Python's
// csv module (QUOTE_MINIMAL), rows without exactly three fields ignored, whitelisted
// trails dropped. Keys are kept as written, as Maltrail's load_trails keeps them.
func LoadCSV(r io.Reader, opts LoadOptions) (*Set, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("cannot read trails CSV: %w", err)
	}
	s, err := loadCSV(data, opts)
	if err != nil {
		return nil, fmt.Errorf("cannot load trails CSV: %w", err)
	}
	return s, nil
}

func loadCSV(data []byte, opts LoadOptions) (*Set, error) {
	if isCompiled(data) {
		return nil, errors.New("a compiled trail file, not a trails.csv: load it with Load")
	}
	rows := bytes.Count(data, []byte{'\n'}) + 1
	b := newSetBuilder(newHashSeed(), rows, len(data)/2)
	cr := newCSVReader(data)
	var fields [3]string
	bad := 0
	for {
		n, ok, err := cr.next(fields[:])
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if n != 3 {
			continue
		}
		if !validUTF8(fields[:]) {
			bad++
			continue
		}
		key := fields[0]
		if opts.Whitelist.trailWhitelisted(key) {
			continue
		}
		if err := b.add(key, b.pair(fields[1], fields[2])); err != nil {
			return nil, err
		}
	}
	if bad > 0 {
		opts.logger().Warn("trails CSV rows that are not valid UTF-8 ignored", "rows", bad)
	}
	return b.finish(opts.logger()), nil
}

func loadTree(root string, opts LoadOptions) (*Set, error) {
	return build(BuildOptions{
		Tree:       root,
		CustomDirs: opts.CustomDirs,
		Whitelist:  opts.Whitelist,
		DropRanges: opts.DropRanges,
		Logger:     opts.Logger,
	})
}
