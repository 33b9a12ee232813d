package trails

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// WriteCSV writes the set as a Maltrail trails.csv: rows of trail,info,reference as
// Python's csv.writer writes them (QUOTE_MINIMAL, "\r\n" line ends). Textual trails come
// first in load order (which keeps the wildcard trails' order), then IPv4, IPv4:port,
// IPv6, [IPv6]:port trails in address order and CIDR trails in load order. Addresses are
// written in the form Maltrail's sensor compares against.
func (s *Set) WriteCSV(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	row := func(trail string, pair uint32) {
		e := s.pairs[pair]
		writeCSVField(bw, trail)
		bw.WriteByte(',')
		writeCSVField(bw, e.Info)
		bw.WriteByte(',')
		writeCSVField(bw, e.Reference)
		bw.WriteString("\r\n")
	}
	s.eachTrail(row)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("cannot write trails CSV: %w", err)
	}
	return nil
}

func sortedKeys[K comparable](m map[K]uint32, compare func(a, b K) int) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compare)
	return keys
}

// writeCSVField quotes a field only when it holds the delimiter, the quote character or
// a line break, doubling embedded quotes (csv.QUOTE_MINIMAL).
func writeCSVField(w *bufio.Writer, f string) {
	if !strings.ContainsAny(f, ",\"\r\n") {
		w.WriteString(f)
		return
	}
	w.WriteByte('"')
	w.WriteString(strings.ReplaceAll(f, `"`, `""`))
	w.WriteByte('"')
}
