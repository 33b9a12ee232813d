// Package trails builds, stores and loads Maltrail trail sets and answers the sensor's
// lookups.
//
// A trail set comes from a compiled trail file (WriteCompiled), a Maltrail trails.csv
// (trail,info,reference), or a Maltrail-style directory tree (static/{malware,malicious,
// suspicious}/*.txt, custom/*.txt). Build reproduces Maltrail's core/update.py: it merges
// feeds (see package trails/feeds), custom and static trails with update_trails'
// priorities, then normalises keys and applies the whitelist and the bogon and CDN
// filters. Load turns a directory tree into trails the same way.
//
// The loaded Set is immutable and safe for concurrent readers. Its lookups are the sensor's
// hot path and do not allocate: string keys live in one byte arena indexed by an
// open-addressing table, IP keys in integer-keyed tables, and the (info, reference) pairs,
// of which there are only a few thousand, are interned. A compiled file holds these tables
// as they are in memory, checksummed, so Load reads it in one pass without parsing or
// hashing a trail (about 60 ms for Maltrail's 1.6M static trails, against about a second
// for their trails.csv).
//
// A tenant's custom trails and whitelist travel as an Overlay (EncodeOverlay,
// DecodeOverlay) and are layered over a loaded Set with Set.Layer, without copying it.
//
// Spoor extensions to Maltrail, all of them additive:
//   - IP and IP:port trails are matched natively, so any textual IPv6 form works and an
//     IPv4-mapped IPv6 trail matches the IPv4 address;
//   - CIDR trails (1.2.3.0/24, 2001:db8::/32) match every address in the range, the most
//     specific range winning; Maltrail keeps them as never-matching URL keys, and expands
//     those of remote custom lists into at most 1,024 addresses. An IPv4 network that
//     only feeds provide must, like an address, come from IP_MINIMUM_FEEDS of them;
//   - wildcard trails that need look-around are run by a backtracking engine (regexp2);
//   - curated feeds (MISP and STIX imports) are exempt from IP_MINIMUM_FEEDS, as static
//     and custom trails are.
//
// Where a build deliberately differs from Maltrail's update:
//   - files are read in name order, where Maltrail takes the file system's order (which
//     decides between two files listing one trail);
//   - a line that is not UTF-8 (or a static *.csv line without a comma) is skipped;
//     Maltrail loses the whole static feed to it;
//   - a non-ASCII URL trail has only its host IDNA-encoded, where Maltrail encodes the
//     whole key into an unmatchable "xn--/..." label;
//   - bogon and CDN networks are matched as networks; Maltrail only compares an address
//     with networks that start with the same first octet, missing 225-255 in 224.0.0.0/3;
//   - DisabledInfo is a Go (RE2) regular expression, where Maltrail's
//     DISABLED_TRAILS_INFO_REGEX is a Python one.
package trails
