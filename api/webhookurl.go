package api

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
)

// maxWebhookURL bounds a webhook URL.
const maxWebhookURL = 2048

// WebhookPolicy says which webhook targets are acceptable. The zero value
// is the production policy: https only, public addresses only, so that a
// tenant cannot make the server call into its own network (SSRF).
type WebhookPolicy struct {
	// AllowHTTP permits http:// URLs (tests, labs).
	AllowHTTP bool `mapstructure:"webhook_allow_http"`
	// AllowPrivate permits loopback, private, link-local and other
	// non-public targets (tests, labs).
	AllowPrivate bool `mapstructure:"webhook_allow_private"`
}

// nonPublic are special-purpose ranges netip's predicates do not cover:
// "this network", shared address space (CGNAT), IETF protocol
// assignments, documentation, benchmarking, reserved, NAT64 and 6to4
// (which embed IPv4 addresses), Teredo, ORCHID and documentation (v6).
var nonPublic = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "64:ff9b::/96", "64:ff9b:1::/48", "2001::/32",
		"2001:10::/28", "2001:20::/28", "2001:db8::/32", "2002::/16", "100::/64"} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// publicAddr reports whether a is a globally routable unicast address.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.Zone() != "" || !a.IsGlobalUnicast() || a.IsPrivate() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// Check validates a webhook URL under the policy. Names are not resolved
// here (the answer may change): Dispatcher checks the address it
// connects to.
func (p WebhookPolicy) Check(raw string) (*url.URL, error) {
	if raw == "" || len(raw) > maxWebhookURL {
		return nil, fmt.Errorf("must be 1 to %d characters", maxWebhookURL)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.Host == "" {
		return nil, errors.New("must be an absolute URL")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && p.AllowHTTP:
	default:
		return nil, errors.New("must be https")
	}
	if u.User != nil {
		return nil, errors.New("must not carry credentials before the host; put a token in the path or query")
	}
	if u.Fragment != "" || strings.HasSuffix(raw, "#") {
		return nil, errors.New("must not have a fragment")
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return nil, errors.New("has a bad port")
		}
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if a, err := netip.ParseAddr(host); err == nil {
		if !p.AllowPrivate && !publicAddr(a) {
			return nil, errors.New("must not point to a loopback, private or reserved address")
		}
		return u, nil
	}
	if !validDomain(host) {
		return nil, errors.New("has a bad host name")
	}
	if !p.AllowPrivate && (!strings.Contains(host, ".") || host == "localhost" || strings.HasSuffix(host, ".localhost") ||
		strings.HasSuffix(host, ".local") || strings.HasSuffix(host, ".internal") || strings.HasSuffix(host, ".arpa")) {
		return nil, errors.New("must name a public host")
	}
	return u, nil
}

// dialControl refuses connections to non-public addresses, whatever name
// led there (DNS rebinding, redirects are off anyway).
func (p WebhookPolicy) dialControl(_, address string, _ syscall.RawConn) error {
	if p.AllowPrivate {
		return nil
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("webhook: bad dial address %q: %w", address, err)
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !publicAddr(a) {
		return fmt.Errorf("webhook: refusing to connect to non-public address %s", host)
	}
	return nil
}
