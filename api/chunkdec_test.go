package api

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"testing"

	"github.com/spoorsec/spoor/store"
)

// frame is a day-stream frame decoded the way the console decodes it
// (webui/src/lib/frames.js), for the tests.
type frame struct {
	N        int      `json:"n"`
	Cursor   string   `json:"cursor"`
	Done     bool     `json:"done"`
	Time0    int64    `json:"time0"`
	Dict     []string `json:"dict"`
	Sections []int64  `json:"sections"`
	Ports    []string `json:"ports"`
	Columns  [][2]any `json:"columns"`
	cols     map[string][]int64
	widths   map[string]int
	secs     [][]string // dict cut into its sections
	times    []int64    // absolute microseconds
	ids      []string   // hex; none when asked for without IDs
}

// readFrames decodes every frame of a (decompressed) day stream.
func readFrames(tb testing.TB, r io.Reader) []frame {
	tb.Helper()
	var out []frame
	for {
		var lens [chunkHeaderLen]byte
		if _, err := io.ReadFull(r, lens[:]); err == io.EOF {
			return out
		} else if err != nil {
			tb.Fatalf("frame %d: lengths: %v", len(out), err)
		}
		h, b := binary.LittleEndian.Uint32(lens[:]), binary.LittleEndian.Uint32(lens[4:])
		buf := make([]byte, int(h)+int(b))
		if _, err := io.ReadFull(r, buf); err != nil {
			tb.Fatalf("frame %d of %d+%d bytes: %v", len(out), h, b, err)
		}
		f, err := decodeFrame(buf[:h], buf[h:])
		if err != nil {
			tb.Fatalf("frame %d: %v", len(out), err)
		}
		out = append(out, f)
	}
}

func decodeFrame(header, body []byte) (frame, error) {
	var f frame
	if err := json.Unmarshal(header, &f); err != nil {
		return f, fmt.Errorf("header: %w", err)
	}
	f.cols, f.widths = map[string][]int64{}, map[string]int{}
	off := 0
	for _, c := range f.Columns {
		name, _ := c[0].(string)
		wf, _ := c[1].(float64)
		w := int(wf)
		if w < 0 || w > 8 || off+f.N*w > len(body) {
			return f, fmt.Errorf("column %s of width %v past the body", name, c[1])
		}
		vals := make([]int64, f.N)
		for k := range w {
			for i := range vals {
				vals[i] |= int64(body[off+k*f.N+i]) << (8 * k)
			}
		}
		off += f.N * w
		f.cols[name], f.widths[name] = vals, w
	}
	if off != len(body) {
		return f, fmt.Errorf("body of %d bytes, columns of %d", len(body), off)
	}
	if len(f.Sections) != store.NumTextColumns+1 {
		return f, fmt.Errorf("%d sections, want %d", len(f.Sections), store.NumTextColumns+1)
	}
	at := 0
	for k, m := range f.Sections {
		if m < 0 || at+int(m) > len(f.Dict) {
			return f, fmt.Errorf("section %d of %d strings past a dict of %d", k, m, len(f.Dict))
		}
		f.secs = append(f.secs, f.Dict[at:at+int(m)])
		at += int(m)
	}
	if at != len(f.Dict) {
		return f, fmt.Errorf("sections cover %d of %d dict strings", at, len(f.Dict))
	}
	us := f.Time0
	for _, d := range f.col("time") {
		us += d
		f.times = append(f.times, us)
	}
	batches, pos := f.col("id_batch"), f.col("id_pos")
	if (batches == nil) != (pos == nil) {
		return f, fmt.Errorf("one of the ID columns without the other")
	}
	if batches == nil { // asked for without IDs
		if len(f.secs[store.NumTextColumns]) != 0 {
			return f, fmt.Errorf("batch parts without IDs")
		}
		return f, nil
	}
	for i := range f.N {
		b := batches[i]
		if b < 1 || b > int64(len(f.secs[store.NumTextColumns])) || pos[i] >= 1<<store.IDPositionBits {
			return f, fmt.Errorf("event %d: id parts %d %d", i, b, pos[i])
		}
		f.ids = append(f.ids, fmt.Sprintf("%s%05x", f.secs[store.NumTextColumns][b-1], pos[i]))
	}
	return f, nil
}

// col is a column's values (nil when the frame lacks it).
func (f *frame) col(name string) []int64 { return f.cols[name] }

// text is text column k's value for event i.
func (f *frame) text(tb testing.TB, k, i int) string {
	tb.Helper()
	name := store.TextColumns[k]
	v := f.col(name)[i]
	for _, p := range f.Ports {
		if p == name {
			if v == 0 {
				return ""
			}
			return fmt.Sprint(v)
		}
	}
	if v == 0 {
		return ""
	}
	if v < 0 || v > int64(len(f.secs[k])) {
		tb.Fatalf("%s: index %d into a section of %d", name, v, len(f.secs[k]))
	}
	return f.secs[k][v-1]
}
