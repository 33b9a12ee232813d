package chdb

import (
	"fmt"
	"os"
	"path/filepath"
)

// Version is the libchdb release scripts/chdb.sh installs.
const Version = "26.5.3"

// FindLibrary locates libchdb.so: $CHDB_LIB_PATH; next to the running
// binary (or in ../lib); or where scripts/chdb.sh puts it,
// .cache/chdb/<Version>/package/libchdb.so in the repository, found by
// walking up from the binary's and the working directory.
func FindLibrary() (string, error) {
	if p := os.Getenv(EnvLibPath); p != "" {
		return p, nil
	}
	var candidates, roots []string
	if exe, err := os.Executable(); err == nil {
		d := filepath.Dir(exe)
		candidates = append(candidates, filepath.Join(d, "libchdb.so"), filepath.Join(d, "..", "lib", "libchdb.so"))
		roots = append(roots, d)
	}
	if wd, err := os.Getwd(); err == nil {
		roots = append(roots, wd)
	}
	for _, r := range roots {
		for dir := r; ; dir = filepath.Dir(dir) {
			candidates = append(candidates, filepath.Join(dir, ".cache", "chdb", Version, "package", "libchdb.so"))
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && st.Mode().IsRegular() {
			return c, nil
		}
	}
	return "", fmt.Errorf("libchdb.so not found: set %s or run `bash scripts/chdb.sh`", EnvLibPath)
}
