package trails

import "fmt"

// LoadWhitelistWith is LoadWhitelist plus extra entries written as whitelist.txt lines,
// such as a tenant's whitelist delivered by the collector.
func LoadWhitelistWith(extra []string, paths ...string) (*Whitelist, error) {
	w := newWhitelist()
	for _, path := range paths {
		err := eachDataLine(path, func(line string, _ int) error {
			w.add(line)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("cannot load whitelist: %w", err)
		}
	}
	for _, e := range extra {
		if e = pyStrip(e); e != "" && e[0] != '#' {
			w.add(e)
		}
	}
	w.ranges.finish()
	return w, nil
}
