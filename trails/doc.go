// Package trails loads Maltrail trail sets and answers the sensor's lookups.
//
// A trail set comes either from a Maltrail trails.csv (trail,info,reference) or from a
// Maltrail-style directory tree (static/{malware,malicious,suspicious}/*.txt, custom/*.txt).
// Directory trees are turned into trails the way Maltrail's core/update.py does for its
// static and custom feeds: per-line parsing, feed merge priorities, key normalisation,
// whitelist and bogon/CDN filtering.
//
// The loaded Set is immutable and safe for concurrent readers. Its lookups are the sensor's
// hot path and do not allocate: string keys live in one byte arena indexed by an
// open-addressing table, IP keys in integer-keyed tables, and the (info, reference) pairs,
// of which there are only a few thousand, are interned.
//
// Spoor extensions to Maltrail, all of them additive:
//   - IP and IP:port trails are matched natively, so any textual IPv6 form works and an
//     IPv4-mapped IPv6 trail matches the IPv4 address;
//   - CIDR trails (1.2.3.0/24, 2001:db8::/32) match every address in the range, the most
//     specific range winning; Maltrail keeps them as never-matching URL keys;
//   - wildcard trails that need look-around are run by a backtracking engine (regexp2).
//
// Where a directory load deliberately differs from Maltrail's update:
//   - files are read in name order, where Maltrail takes the file system's order (which
//     decides between two files listing one trail);
//   - a line that is not UTF-8 (or a static *.csv line without a comma) is skipped;
//     Maltrail loses the whole static feed to it;
//   - a non-ASCII URL trail has only its host IDNA-encoded, where Maltrail encodes the
//     whole key into an unmatchable "xn--/..." label;
//   - bogon and CDN networks are matched as networks; Maltrail only compares an address
//     with networks that start with the same first octet, missing 225-255 in 224.0.0.0/3.
package trails
