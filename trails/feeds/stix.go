package feeds

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/spoorsec/spoor/trails"
)

type stixObject struct {
	Type           string    `json:"type"`
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	Pattern        string    `json:"pattern"`
	PatternType    string    `json:"pattern_type"`
	IndicatorTypes []string  `json:"indicator_types"`
	Labels         []string  `json:"labels"`
	ValidFrom      time.Time `json:"valid_from"`
	ValidUntil     time.Time `json:"valid_until"`
	Modified       time.Time `json:"modified"`
	Revoked        bool      `json:"revoked"`
	// relationship
	RelationshipType string `json:"relationship_type"`
	SourceRef        string `json:"source_ref"`
	TargetRef        string `json:"target_ref"`
}

// ImportSTIX imports a STIX 2.1 bundle from a URL or a file. Indicators with a STIX
// pattern yield trails for the values that satisfy the pattern on their own:
// domain-name, url, ipv4-addr and ipv6-addr values (networks too) and X.509 SHA-1
// fingerprints. Revoked and expired indicators are left out. The trails' info is the
// malware or actor the indicator indicates ("emotet (malware)", "apt28 (adversary)"),
// else the indicator's name. The feed is curated (see trails.Feed).
func (c *Client) ImportSTIX(ctx context.Context, location string, opts ImportOptions) Result {
	start := time.Now()
	f := &fetcher{c: c, s: &Source{Name: location}}
	ref := opts.Reference
	if ref == "" {
		ref = defaultReference(location)
	}
	var tr []trails.Trail
	data, err := f.load(ctx, location)
	if err == nil {
		tr, err = ParseSTIXBundle(data, ref, c.now(), opts)
	}
	if err == nil && len(tr) == 0 {
		err = ErrEmpty
	}
	return f.result(trails.Feed{Name: location, Trails: tr, Curated: true}, location, err, start)
}

// ParseSTIXBundle returns the trails of a STIX 2.1 bundle (2.0 bundles, whose
// indicators carry no pattern_type, are read too), each with the given reference.
// Indicators whose pattern does not parse are skipped; err is set only when the bundle
// itself does not.
func ParseSTIXBundle(data []byte, reference string, now time.Time, opts ImportOptions) ([]trails.Trail, error) {
	var bundle struct {
		Type    string            `json:"type"`
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(data, &bundle); err != nil {
		return nil, fmt.Errorf("cannot parse STIX bundle: %w", err)
	}
	if bundle.Type != "bundle" {
		return nil, fmt.Errorf("cannot parse STIX bundle: type %q, want bundle", bundle.Type)
	}
	objs := make([]stixObject, 0, len(bundle.Objects))
	for _, raw := range bundle.Objects {
		var o stixObject
		if json.Unmarshal(raw, &o) == nil { // a malformed object does not spoil the bundle
			objs = append(objs, o)
		}
	}
	// What each indicator indicates: the first malware or actor it is related to.
	named := make(map[string]stixObject)
	for _, o := range objs {
		switch o.Type {
		case "malware", "threat-actor", "intrusion-set", "campaign":
			named[o.ID] = o
		}
	}
	indicates := make(map[string]string)
	for _, o := range objs {
		if o.Type != "relationship" || o.RelationshipType != "indicates" {
			continue
		}
		if t, ok := named[o.TargetRef]; ok && indicates[o.SourceRef] == "" {
			indicates[o.SourceRef] = familyInfo(t.Name, t.Type != "malware")
		}
	}
	var cutoff time.Time
	if opts.MaxAge > 0 {
		cutoff = now.Add(-opts.MaxAge)
	}
	var out []trails.Trail
	for _, o := range objs {
		if o.Type != "indicator" || o.Revoked || (o.PatternType != "" && o.PatternType != "stix") {
			continue
		}
		if !o.ValidUntil.IsZero() && o.ValidUntil.Before(now) {
			continue
		}
		if !cutoff.IsZero() && latest(o.ValidFrom, o.Modified).Before(cutoff) {
			continue
		}
		vals, err := patternValues(o.Pattern)
		if err != nil {
			continue
		}
		info := indicates[o.ID]
		if info == "" {
			info = infoText(o.Name)
		}
		if info == "" {
			info = "malicious (stix)"
		}
		for _, v := range vals {
			if key, ok := stixKey(v); ok {
				out = append(out, trails.Trail{Key: key, Info: info, Reference: reference})
			}
		}
	}
	return out, nil
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// stixKey maps a pattern value to a trail key.
func stixKey(v stixValue) (string, bool) {
	typ, prop, _ := strings.Cut(v.path, ":")
	val := strings.TrimSpace(v.value)
	if v.op == "ISSUBSET" {
		// ipv4-addr:value ISSUBSET '198.51.100.0/24': any address of the network.
		if (typ == "ipv4-addr" || typ == "ipv6-addr") && prop == "value" {
			if p, err := netip.ParsePrefix(val); err == nil {
				return p.String(), true
			}
		}
		return "", false
	}
	switch {
	case typ == "domain-name" && prop == "value":
		k := strings.Trim(strings.ToLower(val), ".")
		return k, validKey(k)
	case typ == "url" && prop == "value":
		return urlKey(val)
	case (typ == "ipv4-addr" || typ == "ipv6-addr") && prop == "value":
		if a, err := netip.ParseAddr(val); err == nil {
			return a.String(), true
		}
		if p, err := netip.ParsePrefix(val); err == nil {
			return p.String(), true
		}
	case typ == "x509-certificate" && isSHA1Property(prop):
		if fp := strings.ToLower(strings.ReplaceAll(val, ":", "")); sha1Hex.MatchString(fp) {
			return fp, true
		}
	}
	return "", false
}

// isSHA1Property matches hashes.'SHA-1' and the spellings producers use for it.
func isSHA1Property(prop string) bool {
	switch strings.ToUpper(strings.ReplaceAll(prop, "'", "")) {
	case "HASHES.SHA-1", "HASHES.SHA1":
		return true
	}
	return false
}
