// Package trafficgen generates realistic network traffic for demonstrations
// and benchmarks: Ethernet frames carrying IPv4 and IPv6 DNS lookups, HTTP
// requests, TLS ClientHellos and plain connections from a handful of
// internal hosts, mostly benign, with a seeded share of malicious activity
// built from a loaded trail set (trail domains in DNS and SNI, trail URLs,
// connections to trail addresses) and of behaviour that Maltrail's
// heuristics catch (port scans, DGA-like NXDOMAIN bursts, suspicious
// User-Agents and request paths, direct executable downloads, web scans).
//
// A Generator is a capture.Source: the sensor engine reads it in process,
// and WritePcap turns it into a pcap stream for `spoor sensor -r`. With the
// same seed, trail set and configuration it produces the same packets;
// timestamps are either the current time, paced at a packet rate, or
// back-dated over a span of time (a day of history in a few seconds).
package trafficgen
