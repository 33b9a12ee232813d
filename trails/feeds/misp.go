package feeds

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spoorsec/spoor/trails"
)

// A MISP feed is a directory, local or served over HTTP, holding manifest.json (event
// UUID -> event summary) and one <uuid>.json per event, as MISP's feed export and
// PyMISP's feed generator write it.

type mispManifestEntry struct {
	Date      string       `json:"date"`
	Timestamp flexString   `json:"timestamp"`
	Info      string       `json:"info"`
	Tag       []mispTagRef `json:"Tag"`
}

type mispTagRef struct {
	Name string `json:"name"`
}

type mispEvent struct {
	Event struct {
		UUID      string          `json:"uuid"`
		Info      string          `json:"info"`
		Date      string          `json:"date"`
		Timestamp flexString      `json:"timestamp"`
		Tag       []mispTagRef    `json:"Tag"`
		Galaxy    []mispGalaxy    `json:"Galaxy"`
		Attribute []mispAttribute `json:"Attribute"`
		Object    []struct {
			Attribute []mispAttribute `json:"Attribute"`
		} `json:"Object"`
	} `json:"Event"`
}

type mispGalaxy struct {
	Type          string `json:"type"`
	GalaxyCluster []struct {
		Value string `json:"value"`
	} `json:"GalaxyCluster"`
}

type mispAttribute struct {
	Type    string       `json:"type"`
	Value   string       `json:"value"`
	ToIDs   flexBool     `json:"to_ids"`
	Deleted flexBool     `json:"deleted"`
	Tag     []mispTagRef `json:"Tag"`
	Galaxy  []mispGalaxy `json:"Galaxy"`
}

// flexBool accepts the forms MISP exports have used: true, "1", 1.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	switch strings.Trim(string(data), `"`) {
	case "true", "1", "True":
		*b = true
	default:
		*b = false
	}
	return nil
}

// flexString accepts a string or a number (MISP timestamps appear as both).
type flexString string

func (s *flexString) UnmarshalJSON(data []byte) error {
	*s = flexString(strings.Trim(string(data), `"`))
	return nil
}

// ImportMISP imports a MISP feed: a URL or directory holding manifest.json, the
// manifest.json itself, or a single event's JSON file or URL. Events are read in
// timestamp order, so a later event's view of a trail wins. Attributes marked for
// detection become trails: domains, host names, URLs, addresses (and address|port),
// networks and X.509 SHA-1 fingerprints. The trails' info is the event's malware
// family or threat actor when a galaxy names one ("emotet (malware)", "apt28
// (adversary)"), else the event's title. The feed is curated (see trails.Feed).
func (c *Client) ImportMISP(ctx context.Context, location string, opts ImportOptions) Result {
	start := time.Now()
	f := &fetcher{c: c, s: &Source{Name: location}}
	ref := opts.Reference
	if ref == "" {
		ref = defaultReference(location)
	}
	tr, err := f.misp(ctx, location, ref, opts)
	if err == nil && len(tr) == 0 {
		err = ErrEmpty
	}
	return f.result(trails.Feed{Name: location, Trails: tr, Curated: true}, location, err, start)
}

func (f *fetcher) misp(ctx context.Context, loc, ref string, opts ImportOptions) ([]trails.Trail, error) {
	base, manifestLoc := mispLocations(loc)
	data, err := f.load(ctx, manifestLoc)
	if err != nil {
		return nil, fmt.Errorf("cannot read MISP manifest: %w", err)
	}
	if isMISPEvent(data) {
		return ParseMISPEvent(data, ref, opts)
	}
	var manifest map[string]mispManifestEntry
	if err := json.Unmarshal(data, &manifest); err != nil {
		return nil, fmt.Errorf("cannot parse MISP manifest %s: %w", manifestLoc, err)
	}
	type event struct {
		uuid string
		ts   int64
	}
	var events []event
	cutoff := time.Time{}
	if opts.MaxAge > 0 {
		cutoff = f.c.now().Add(-opts.MaxAge)
	}
	for uuid, m := range manifest {
		if !validUUID(uuid) {
			continue // also keeps a forged manifest from naming paths outside the feed
		}
		ts, _ := strconv.ParseInt(string(m.Timestamp), 10, 64)
		if !cutoff.IsZero() && mispTime(m.Date, ts).Before(cutoff) {
			continue
		}
		events = append(events, event{uuid, ts})
	}
	slices.SortFunc(events, func(a, b event) int {
		return cmp.Or(cmp.Compare(a.ts, b.ts), cmp.Compare(a.uuid, b.uuid))
	})

	parsed := make([][]trails.Trail, len(events))
	errs := make([]error, len(events))
	sem := make(chan struct{}, f.c.cfg.Parallel)
	var wg sync.WaitGroup
	for i, e := range events {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			data, err := f.load(ctx, mispJoin(base, e.uuid+".json"))
			if err == nil {
				parsed[i], err = ParseMISPEvent(data, ref, opts)
			}
			if err != nil {
				errs[i] = fmt.Errorf("MISP event %s: %w", e.uuid, err)
			}
		})
	}
	wg.Wait()
	var out []trails.Trail
	for _, p := range parsed {
		out = append(out, p...)
	}
	return out, summarise(errs)
}

// summarise joins the first few of errs and counts the rest.
func summarise(errs []error) error {
	var failed []error
	for _, e := range errs {
		if e != nil {
			failed = append(failed, e)
		}
	}
	if len(failed) > 3 {
		failed = append(failed[:3], fmt.Errorf("and %d more failures", len(failed)-3))
	}
	return errors.Join(failed...)
}

// mispLocations returns the feed's base and the location of its manifest (or single
// event) for a location as given.
func mispLocations(loc string) (base, manifest string) {
	if isURL(loc) {
		switch {
		case strings.HasSuffix(loc, ".json"):
			return loc[:strings.LastIndexByte(loc, '/')+1], loc
		default:
			base = strings.TrimSuffix(loc, "/") + "/"
			return base, base + "manifest.json"
		}
	}
	if fi, err := os.Stat(loc); err == nil && fi.IsDir() {
		return loc, filepath.Join(loc, "manifest.json")
	}
	return filepath.Dir(loc), loc
}

func mispJoin(base, name string) string {
	if isURL(base) {
		return base + name
	}
	return filepath.Join(base, name)
}

func isMISPEvent(data []byte) bool {
	var probe struct {
		Event json.RawMessage `json:"Event"`
	}
	return json.Unmarshal(data, &probe) == nil && len(bytes.TrimSpace(probe.Event)) > 0 && probe.Event[0] == '{'
}

// validUUID is the 8-4-4-4-12 hex form of a MISP event UUID.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// mispTime is an event's date (YYYY-MM-DD) or, failing that, its timestamp.
func mispTime(date string, ts int64) time.Time {
	if t, err := time.Parse(time.DateOnly, date); err == nil {
		return t
	}
	return time.Unix(ts, 0)
}

// ParseMISPEvent returns the trails of one MISP event JSON document ({"Event": {...}}),
// each with the given reference.
func ParseMISPEvent(data []byte, reference string, opts ImportOptions) ([]trails.Trail, error) {
	var doc mispEvent
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("cannot parse MISP event: %w", err)
	}
	ev := &doc.Event
	eventInfo := mispFamily(ev.Tag, ev.Galaxy)
	if eventInfo == "" {
		eventInfo = infoText(ev.Info)
	}
	if eventInfo == "" {
		eventInfo = "malicious (misp)"
	}
	var out []trails.Trail
	add := func(a mispAttribute) {
		if bool(a.Deleted) || (!bool(a.ToIDs) && !opts.AllAttributes) {
			return
		}
		info := mispFamily(a.Tag, a.Galaxy)
		if info == "" {
			info = eventInfo
		}
		for _, key := range mispKeys(a.Type, strings.TrimSpace(a.Value)) {
			out = append(out, trails.Trail{Key: key, Info: info, Reference: reference})
		}
	}
	for _, a := range ev.Attribute {
		add(a)
	}
	for _, o := range ev.Object {
		for _, a := range o.Attribute {
			add(a)
		}
	}
	return out, nil
}

// mispKeys maps an attribute to trail keys.
func mispKeys(typ, v string) []string {
	one := func(k string) []string {
		if validKey(k) {
			return []string{k}
		}
		return nil
	}
	switch typ {
	case "domain", "hostname":
		return one(strings.Trim(strings.ToLower(v), "."))
	case "url", "uri":
		if typ == "uri" && !strings.Contains(v, "://") {
			return nil // a path alone is too broad a trail
		}
		if k, ok := urlKey(v); ok {
			return []string{k}
		}
	case "ip-dst", "ip-src":
		return one(v)
	case "ip-dst|port", "ip-src|port":
		ip, port, ok := strings.Cut(v, "|")
		if !ok {
			return nil
		}
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return nil
		}
		return one(net.JoinHostPort(ip, port))
	case "domain|ip":
		d, ip, ok := strings.Cut(v, "|")
		if !ok {
			return nil
		}
		return append(one(strings.Trim(strings.ToLower(d), ".")), one(ip)...)
	case "hostname|port":
		h, _, _ := strings.Cut(v, "|")
		return one(strings.Trim(strings.ToLower(h), "."))
	case "x509-fingerprint-sha1":
		if fp := strings.ToLower(strings.ReplaceAll(v, ":", "")); sha1Hex.MatchString(fp) {
			return []string{fp}
		}
	}
	return nil
}

// mispFamily names the malware family or threat actor that tags or galaxies give.
func mispFamily(tags []mispTagRef, galaxies []mispGalaxy) string {
	for _, g := range galaxies {
		if len(g.GalaxyCluster) > 0 {
			if info := familyInfo(g.GalaxyCluster[0].Value, isActorGalaxy(g.Type)); info != "" && isFamilyGalaxy(g.Type) {
				return info
			}
		}
	}
	for _, t := range tags {
		rest, ok := strings.CutPrefix(t.Name, "misp-galaxy:")
		if !ok {
			continue
		}
		typ, value, ok := strings.Cut(rest, "=")
		if !ok || !isFamilyGalaxy(typ) {
			continue
		}
		if info := familyInfo(strings.Trim(value, `"`), isActorGalaxy(typ)); info != "" {
			return info
		}
	}
	return ""
}

// MISP galaxies whose clusters name a malware family or a threat actor.
var familyGalaxies = []string{
	"malpedia", "ransomware", "banker", "botnet", "rat", "stealer", "backdoor", "tool",
	"android", "exploit-kit", "mitre-malware", "mitre-tool", "mitre-enterprise-attack-malware",
}

var actorGalaxies = []string{"threat-actor", "mitre-intrusion-set", "mitre-enterprise-attack-intrusion-set"}

func isFamilyGalaxy(typ string) bool {
	return slices.Contains(familyGalaxies, typ) || isActorGalaxy(typ)
}

func isActorGalaxy(typ string) bool { return slices.Contains(actorGalaxies, typ) }
