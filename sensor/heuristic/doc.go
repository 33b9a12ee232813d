// Package heuristic implements Maltrail's detection heuristics as a
// library: the pure checks on HTTP requests and responses, DNS names and
// User-Agent strings, and the stateful trackers behind the scan, infection,
// NXDOMAIN and DNS-exhaustion heuristics (maltrail.md §3).
//
// Maltrail's rules are Python regular expressions; they run here with
// Python's semantics through internal/pyre. The trackers hold the state
// all sensor workers share: it is sharded by key with a mutex per shard,
// so alerts do not depend on how many workers feed them or in what order
// the packets of a window arrive (Maltrail keeps this state per process
// and loses scan alerts as it adds processes).
package heuristic
