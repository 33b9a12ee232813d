package heuristic

import (
	"errors"
	"fmt"
)

// Names of the heuristics an operator can mute: Maltrail's
// DISABLED_HEURISTICS (the first six) and one for each of its other
// heuristics, so that every one of the 21 can be switched off.
const (
	PortScanning  = "port_scanning"
	UDPScanning   = "udp_scanning"
	Infection     = "infection"
	WebScanning   = "web_scanning"
	DNSExhaustion = "dns_exhaustion"
	LongDomains   = "long_domain"

	ExcessiveNXDomain     = "excessive_nxdomain"
	DGANXDomain           = "dga_nxdomain"
	SinkholedDomain       = "sinkholed_domain"
	ParkedDomain          = "parked_domain"
	SuspiciousRequestName = "suspicious_request"
	SuspiciousPost        = "suspicious_post"
	DirectDownloadName    = "direct_download"
	SuspiciousFile        = "suspicious_filename"
	IoTMalwareDownload    = "iot_malware_download"
	ProxyProbe            = "proxy_probe"
	MissingHost           = "missing_host"
	SuspiciousUserAgent   = "suspicious_user_agent"
	SinkholeResponseName  = "sinkhole_response"
	SeizedDomain          = "seized_domain"
	SuspiciousContent     = "suspicious_content_type"
)

var heuristicNames = [...]string{PortScanning, UDPScanning, Infection, WebScanning, DNSExhaustion, LongDomains,
	ExcessiveNXDomain, DGANXDomain, SinkholedDomain, ParkedDomain, SuspiciousRequestName, SuspiciousPost,
	DirectDownloadName, SuspiciousFile, IoTMalwareDownload, ProxyProbe, MissingHost, SuspiciousUserAgent,
	SinkholeResponseName, SeizedDomain, SuspiciousContent}

// Names lists every heuristic name Config.Disabled accepts.
func Names() []string { return heuristicNames[:] }

// Config holds the trackers' thresholds. An alert fires when a count
// exceeds its threshold (Maltrail's "> threshold").
type Config struct {
	// Window is SCAN_WINDOW, the sliding window of the scan heuristics in
	// seconds (1-3600).
	Window                 int64
	PortScanThreshold      int // distinct TCP ports per (src, dst) in a window
	UDPScanThreshold       int // distinct UDP ports per (src, dst) in a window
	InfectionThreshold     int // distinct hosts per (src, infection port) in a window
	WebScanThreshold       int // distinct first path segments per (src, dst) in a window
	NXDomainThreshold      int // NXDOMAIN answers per name or base domain per hour
	DNSExhaustionThreshold int // distinct subdomains per base domain in 60 s
	// Disabled mutes heuristics by name: port_scanning, udp_scanning,
	// infection, web_scanning, dns_exhaustion, long_domain.
	Disabled map[string]bool
}

// DefaultConfig returns Maltrail's defaults.
func DefaultConfig() Config {
	return Config{
		Window:                 30,
		PortScanThreshold:      10,
		UDPScanThreshold:       10,
		InfectionThreshold:     32,
		WebScanThreshold:       10,
		NXDomainThreshold:      20,
		DNSExhaustionThreshold: 1000,
	}
}

// maxWindow is the longest SCAN_WINDOW Maltrail accepts.
const maxWindow = 3600

// Validate reports the first invalid setting.
func (c Config) Validate() error {
	if c.Window < 1 || c.Window > maxWindow {
		return fmt.Errorf("scan window %d s out of range 1-%d", c.Window, maxWindow)
	}
	for _, t := range [...]struct {
		name string
		v    int
		max  int
	}{
		// A scan threshold must stay below the items a key can hold.
		{"port scan threshold", c.PortScanThreshold, maxItemsPerKey - 1},
		{"udp scan threshold", c.UDPScanThreshold, maxItemsPerKey - 1},
		{"infection threshold", c.InfectionThreshold, maxItemsPerKey - 1},
		{"web scan threshold", c.WebScanThreshold, maxItemsPerKey - 1},
		{"nxdomain threshold", c.NXDomainThreshold, maxNXThreshold},
		{"dns exhaustion threshold", c.DNSExhaustionThreshold, maxExhaustionThreshold},
	} {
		if t.v < 1 || t.v > t.max {
			return fmt.Errorf("%s %d out of range 1-%d", t.name, t.v, t.max)
		}
	}
	var errs []error
	for name := range c.Disabled {
		if !knownHeuristic(name) {
			errs = append(errs, fmt.Errorf("unknown heuristic %q in disabled list", name))
		}
	}
	return errors.Join(errs...)
}

func knownHeuristic(name string) bool {
	for _, n := range heuristicNames {
		if n == name {
			return true
		}
	}
	return false
}

// Enabled reports whether the named heuristic is not muted.
func (c Config) Enabled(name string) bool {
	return !c.Disabled[name]
}
