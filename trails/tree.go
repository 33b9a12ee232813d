package trails

import (
	"cmp"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// A trail tree is read the way Maltrail's static and custom feeds read it
// (trails/static/__init__.py, trails/custom/__init__.py).

type fileKind uint8

const (
	txtStatic fileKind = iota // static/**/*.txt: one trail per line, info from the file name
	txtCustom                 // custom/*.txt: the same, with the custom feed's line rules
	csvStatic                 // static/**/*.csv: "value,info" lines
)

type trailFile struct {
	path     string
	kind     fileKind
	info     string // txt: the info of every trail in the file
	category string // csv: appended to each line's info as " (category)"
	ref      string
}

// fileTrails is what one file contributes, in line order.
type fileTrails struct {
	keys     []string
	hashes   []uint64 // maphash of each key with the build's seed
	infos    []string // csv files only: one info per key
	badLines int      // lines that are not valid UTF-8
}

// resolveTree finds the static and custom directories for Load: a tree holding static/
// (and optionally custom/), or a static directory itself.
func resolveTree(root string) (static string, custom []string) {
	if isDir(filepath.Join(root, "static")) {
		if c := filepath.Join(root, "custom"); isDir(c) {
			custom = append(custom, c)
		}
		return filepath.Join(root, "static"), custom
	}
	return root, nil
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// staticFiles lists a static directory in Maltrail's feed order. Maltrail visits the
// directory itself and each subdirectory (category = its name), suspicious and malicious
// first, directories named like "custom" last; within a directory *.csv files come first,
// then *.txt files with "history" ones last. Later files win a repeated trail. Maltrail
// takes whatever order the file system lists; here names are sorted so loads are
// reproducible.
func staticFiles(dir string) ([]trailFile, error) {
	subdirs, err := listDir(dir, true)
	if err != nil {
		return nil, err
	}
	// The directory itself ranks like an ordinary category, so suspicious and malicious
	// trails come before its own files (mass_scanner*.txt).
	categories := append([]string{""}, subdirs...)
	slices.SortStableFunc(categories, func(a, b string) int { return cmp.Compare(dirRank(a), dirRank(b)) })
	var files []trailFile
	for _, category := range categories {
		path := filepath.Join(dir, category)
		names, err := listDir(path, false)
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			if strings.HasSuffix(name, ".csv") {
				files = append(files, trailFile{
					path: filepath.Join(path, name), kind: csvStatic, category: category,
					ref: fileStem(name) + " (static)",
				})
			}
		}
		var txt []string
		for _, name := range names {
			if strings.HasSuffix(name, ".txt") {
				txt = append(txt, name)
			}
		}
		slices.SortStableFunc(txt, func(a, b string) int {
			return cmp.Compare(btoi(strings.Contains(a, "history")), btoi(strings.Contains(b, "history")))
		})
		for _, name := range txt {
			files = append(files, trailFile{
				path: filepath.Join(path, name), kind: txtStatic, info: fileInfo(name, category), ref: "(static)",
			})
		}
	}
	return files, nil
}

// dirRank is the sort key of trails/static/__init__.py, applied to the directory's name.
func dirRank(name string) int {
	switch {
	case strings.Contains(name, "suspicious") || strings.Contains(name, "malicious"):
		return -1
	case strings.Contains(name, "custom"):
		return 1
	}
	return 0
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// customFiles lists the *.txt files of custom trail directories, in the given directory
// order and name order.
func customFiles(dirs []string) ([]trailFile, error) {
	var files []trailFile
	for _, dir := range dirs {
		names, err := listDir(dir, false)
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			if strings.HasSuffix(name, ".txt") {
				files = append(files, trailFile{
					path: filepath.Join(dir, name), kind: txtCustom, info: fileInfo(name, ""), ref: "(custom)",
				})
			}
		}
	}
	return files, nil
}

// listDir returns the sorted names of a directory's subdirectories or regular files,
// skipping dot-names as Python's glob does.
func listDir(dir string, dirs bool) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot list trail directory: %w", err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		typ := e.Type()
		if typ&fs.ModeSymlink != 0 {
			fi, err := os.Stat(filepath.Join(dir, e.Name()))
			if err != nil {
				continue
			}
			typ = fi.Mode().Type()
		}
		if (dirs && typ.IsDir()) || (!dirs && typ.IsRegular()) {
			names = append(names, e.Name())
		}
	}
	return names, nil // os.ReadDir sorts by name
}

// fileStem is os.path.splitext(name)[0].
func fileStem(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[:i]
	}
	return name
}

// fileInfo is the info Maltrail derives from a trail file's name: the stem with '_' as
// spaces, plus " (category)" inside a category directory.
func fileInfo(name, category string) string {
	info := strings.ReplaceAll(fileStem(name), "_", " ")
	if category != "" {
		info += " (" + category + ")"
	}
	return info
}

// readTrailFiles parses the files concurrently; the results keep the files' order.
func readTrailFiles(files []trailFile, seed maphash.Seed) ([]fileTrails, error) {
	out := make([]fileTrails, len(files))
	errs := make([]error, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(files), 1)) {
		wg.Go(func() {
			for i := range next {
				out[i], errs[i] = readTrailFile(files[i], seed)
			}
		})
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

func readTrailFile(f trailFile, seed maphash.Seed) (fileTrails, error) {
	data, err := os.ReadFile(f.path)
	if err != nil {
		return fileTrails{}, fmt.Errorf("cannot read trail file: %w", err)
	}
	// The keys alias the file's bytes, which nothing writes to: a copy would cost ~60 MB
	// and ~10% of a static-tree load.
	text := unsafe.String(unsafe.SliceData(data), len(data))
	valid := utf8.Valid(data)
	ft := fileTrails{keys: make([]string, 0, strings.Count(text, "\n")+1)}
	// Maltrail reads these files in binary mode: lines end at '\n' only.
	for text != "" {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		if !valid && !utf8.ValidString(line) {
			// Python's strict decode would abort the whole feed; one bad line is skipped.
			ft.badLines++
			continue
		}
		switch f.kind {
		case csvStatic:
			key, info, ok := parseCSVTrailLine(line)
			if !ok {
				continue
			}
			if f.category != "" {
				info += " (" + f.category + ")"
			}
			ft.keys = append(ft.keys, key)
			ft.infos = append(ft.infos, info)
		default:
			kind := staticLine
			if f.kind == txtCustom {
				kind = customLine
			}
			if key, ok := parseTrailLine(line, kind); ok {
				ft.keys = append(ft.keys, key)
			}
		}
	}
	ft.hashes = make([]uint64, len(ft.keys))
	for i, k := range ft.keys {
		ft.hashes[i] = maphash.String(seed, k)
	}
	return ft, nil
}
