// Package feeds fetches the public threat feeds Maltrail's update uses and imports MISP
// feeds and STIX 2.1 bundles, turning each into a trails.Feed for trails.Build.
//
// Maltrail() lists Maltrail's 42 feed modules (trails/feeds/*.py) as Sources: their
// addresses, sanity checks, info and reference, which ones Maltrail disables by default,
// and a parser per feed that yields what the module's fetch() yields. A Client fetches
// them over HTTP with a per-request timeout, bounded retries with backoff, conditional
// requests (ETag, Last-Modified) against a local cache, and an optional proxy; a failing
// feed is reported in its Result and never fails the others.
//
// Where feeds deliberately differ from Maltrail:
//   - an HTTP error, a failed sanity check or an empty feed is an error in the Result;
//     Maltrail turns all of them into an empty feed and prints a line;
//   - a line a module's parser would raise an exception on (a blackbook or viriback row
//     without enough commas, a torprojectnodes relay that is not an object) is skipped;
//     Maltrail loses the whole feed;
//   - TLS certificates are verified; Maltrail turns verification off for feeds;
//   - when a source fails, a cached copy younger than Config.MaxStale is used instead,
//     and the failure is still reported.
package feeds
