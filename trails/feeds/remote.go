package feeds

import (
	"context"
	"strings"
	"time"

	"github.com/spoorsec/spoor/trails"
)

// Remote custom lists are Maltrail's CUSTOM_TRAILS_URL: plain trail lists in the custom
// trail file format, each trail with info "blacklisted" and reference "(remote custom)".
const (
	RemoteCustomInfo      = "blacklisted"
	RemoteCustomReference = "(remote custom)"
)

// RemoteCustom fetches one CUSTOM_TRAILS_URL list. An address without "//" is taken as
// http://, as Maltrail does. The Result's Feed goes to trails.BuildOptions.RemoteCustom.
func (c *Client) RemoteCustom(ctx context.Context, address string) Result {
	start := time.Now()
	if !strings.Contains(address, "//") {
		address = "http://" + address
	}
	f := fetcher{c: c, s: &Source{Name: address}}
	body, err := f.body(ctx, address)
	var tr []trails.Trail
	if err == nil {
		tr = parseRemoteCustom(body)
		if len(tr) == 0 {
			err = ErrEmpty
		}
	}
	return f.result(trails.Feed{Name: address, Trails: tr, Curated: true}, address, err, start)
}

func parseRemoteCustom(content string) []trails.Trail {
	var out []trails.Trail
	for line := range strings.SplitSeq(content, "\n") {
		if key, ok := trails.ParseCustomLine(line); ok {
			out = append(out, trails.Trail{Key: key, Info: RemoteCustomInfo, Reference: RemoteCustomReference})
		}
	}
	return out
}
