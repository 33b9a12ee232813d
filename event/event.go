// Package event defines Spoor's detection event: Maltrail's eleven log
// fields plus the context Maltrail throws away, and its wire renderings
// (Maltrail log line, CEF, JSON).
package event

import "time"

// Type is Maltrail's event type column.
type Type string

// Event types, as Maltrail names them.
const (
	TypeDNS   Type = "DNS"
	TypeIP    Type = "IP"
	TypeIPort Type = "IPORT"
	TypeURL   Type = "URL"
	TypeHTTP  Type = "HTTP"
	TypeUA    Type = "UA"
	TypePath  Type = "PATH"
	TypePort  Type = "PORT"
	TypeCert  Type = "CERT"
)

// Event is one detection. The string fields hold exactly what Maltrail would
// write in that column before escaping: addresses in Maltrail's rendering,
// ports as decimal text ("" or "0" render as "-"), and comma-joined lists for
// summarised or condensed events.
type Event struct {
	Time      time.Time
	Sensor    string
	SrcIP     string
	SrcPort   string
	DstIP     string
	DstPort   string
	Proto     string
	Type      Type
	Trail     string
	Info      string
	Reference string

	// Count is how many detections this event stands for; 0 and 1 both mean
	// one. Summarised and condensed events carry the number they replace.
	Count int

	Context Context
}

// Context is the protocol detail the sensor extracted for the packet that
// triggered the event. Zero values mean "not present".
type Context struct {
	DNSQType      uint16 `json:"dns_qtype,omitempty"`
	DNSRcode      int8   `json:"dns_rcode,omitempty"` // -1: not a response
	HTTPMethod    string `json:"http_method,omitempty"`
	HTTPHost      string `json:"http_host,omitempty"`
	HTTPURI       string `json:"http_uri,omitempty"`
	HTTPUserAgent string `json:"http_user_agent,omitempty"`
	TLSSNI        string `json:"tls_sni,omitempty"`
	JA4           string `json:"ja4,omitempty"`
	CertSHA1      string `json:"cert_sha1,omitempty"`
}
