package output

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// resolveRetry is how long a target whose name would not resolve is left
// alone before the next attempt: resolving blocks, so not on every event,
// and a DNS outage must not silence the target for good either.
const resolveRetry = 30 * time.Second

// resolveTimeout bounds one name lookup.
const resolveTimeout = 2 * time.Second

// SplitTargets splits a remote-logging option value into its targets, which
// Maltrail separates with commas, semicolons or whitespace:
// "10.0.0.1:514, [::1]:514" gives two.
func SplitTargets(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
	})
}

// splitHostPort parses a target as Maltrail's parse_host_port does
// ("1.2.3.4:514", "[fe80::1]:514", "host:514", bare "fe80::1:514"), but a
// port is required.
func splitHostPort(target string) (string, uint16, error) {
	s := strings.TrimSpace(target)
	var host, port string
	switch {
	case strings.HasPrefix(s, "[") && strings.Contains(s, "]"):
		var rest string
		host, rest, _ = strings.Cut(s[1:], "]")
		port = strings.TrimPrefix(rest, ":")
	case strings.Count(s, ":") >= 1:
		i := strings.LastIndexByte(s, ':')
		host, port = s[:i], s[i+1:]
	default:
		host = s
	}
	if host == "" {
		return "", 0, fmt.Errorf("target %q has no host", target)
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil || p == 0 {
		return "", 0, fmt.Errorf("target %q has no valid port", target)
	}
	return host, uint16(p), nil
}

type udpTarget struct {
	name    string // as configured
	host    string
	port    uint16
	addr    netip.AddrPort // valid once resolved
	retryAt time.Time
}

// udpSender sends datagrams to a fixed list of targets over one socket per
// address family, like Maltrail's _send_datagram. Callers serialise use.
type udpSender struct {
	targets      []udpTarget
	conn4, conn6 *net.UDPConn
}

func newUDPSender(targets []string) (*udpSender, error) {
	if len(targets) == 0 {
		return nil, errors.New("no targets")
	}
	u := &udpSender{}
	for _, t := range targets {
		host, port, err := splitHostPort(t)
		if err != nil {
			return nil, err
		}
		u.targets = append(u.targets, udpTarget{name: t, host: host, port: port})
	}
	// Resolve up front so a typo shows in the first send's error at once;
	// a failure here is retried later rather than refusing to start.
	for i := range u.targets {
		_ = u.resolve(&u.targets[i], time.Now())
	}
	return u, nil
}

// resolve fills t.addr unless a recent attempt failed.
func (u *udpSender) resolve(t *udpTarget, now time.Time) error {
	if t.addr.IsValid() {
		return nil
	}
	if now.Before(t.retryAt) {
		return fmt.Errorf("target %s: not resolved, next attempt at %s", t.name, t.retryAt.Format(time.TimeOnly))
	}
	addr, err := lookup(t.host)
	if err != nil {
		t.retryAt = now.Add(resolveRetry)
		return fmt.Errorf("cannot resolve target %s: %w", t.name, err)
	}
	t.addr = netip.AddrPortFrom(addr.Unmap(), t.port)
	return nil
}

// lookup returns host's address: the literal itself, or its first IPv4
// address, else its first IPv6 address.
func lookup(host string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return a, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return netip.Addr{}, err
	}
	for _, a := range addrs {
		if a.Unmap().Is4() {
			return a.Unmap(), nil
		}
	}
	if len(addrs) == 0 {
		return netip.Addr{}, fmt.Errorf("no address for %s", host)
	}
	return addrs[0], nil
}

// send sends payload to every target; failures are joined.
func (u *udpSender) send(payload []byte) error {
	var errs []error
	now := time.Now()
	for i := range u.targets {
		t := &u.targets[i]
		if err := u.resolve(t, now); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := u.sendTo(t.addr, payload); err != nil {
			errs = append(errs, fmt.Errorf("cannot send to %s: %w", t.name, err))
		}
	}
	return errors.Join(errs...)
}

// sendTo sends one datagram; on failure the family's socket is replaced
// and the send tried once more, as Maltrail does.
func (u *udpSender) sendTo(addr netip.AddrPort, payload []byte) error {
	slot, network := &u.conn4, "udp4"
	if addr.Addr().Is6() {
		slot, network = &u.conn6, "udp6"
	}
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		if *slot == nil {
			if *slot, err = net.ListenUDP(network, nil); err != nil {
				return fmt.Errorf("cannot open %s socket: %w", network, err)
			}
		}
		if _, err = (*slot).WriteToUDPAddrPort(payload, addr); err == nil {
			return nil
		}
		(*slot).Close()
		*slot = nil
	}
	return err
}

func (u *udpSender) close() error {
	var errs []error
	for _, c := range []*net.UDPConn{u.conn4, u.conn6} {
		if c != nil {
			if err := c.Close(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	u.conn4, u.conn6 = nil, nil
	return errors.Join(errs...)
}
