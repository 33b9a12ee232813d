package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/tenant"
)

// StoredEvent is an event as the store returns it: Maltrail's fields and
// context exactly as inserted (Time truncated to microseconds, in UTC;
// Count at least 1), plus what the store adds.
type StoredEvent struct {
	event.Event
	// ID identifies the event within its tenant; it is derived from the
	// sensor, batch and position, so a retried batch gets the same IDs.
	ID         uint64
	Tenant     tenant.ID
	Severity   event.Severity
	SensorID   string
	BatchID    string
	IngestTime time.Time
}

// eventColumnNames is the column order of every events INSERT.
var eventColumnNames = []string{
	"tenant", "time", "id", "sensor",
	"src_ip", "src_ip_raw", "src_port", "src_port_raw",
	"dst_ip", "dst_ip_raw", "dst_port", "dst_port_raw",
	"proto", "type", "trail", "info", "reference", "severity", "count",
	"dns_qtype", "dns_rcode", "http_method", "http_host", "http_uri", "http_user_agent",
	"tls_sni", "ja4", "cert_sha1",
	"sensor_id", "batch_id", "ingest_time", "retention_days",
}

// eventColumnTypes are the ClickHouse types of eventColumnNames.
var eventColumnTypes = []string{
	"LowCardinality(String)", "DateTime64(6, 'UTC')", "UInt64", "LowCardinality(String)",
	"IPv6", "String", "UInt16", "String",
	"IPv6", "String", "UInt16", "String",
	"LowCardinality(String)", "LowCardinality(String)", "String", "LowCardinality(String)", "LowCardinality(String)",
	"Enum8('low' = 1, 'medium' = 2, 'high' = 3)", "UInt32",
	"UInt16", "Int8", "LowCardinality(String)", "String", "String", "String",
	"String", "LowCardinality(String)", "String",
	"LowCardinality(String)", "String", "DateTime64(3, 'UTC')", "UInt16",
}

// ErrBadBatch is wrapped by InsertEvents for a batch it refuses.
var ErrBadBatch = errors.New("store: bad batch")

// MaxIDLen bounds sensor and batch IDs.
const MaxIDLen = 256

// InsertEvents stores events of tenant t received from sensor sensorID in
// the batch batchID, as one INSERT. It is idempotent per (tenant, sensor,
// batch): a retried batch with the same events is not stored twice (the
// engine's insert deduplication, keyed by a hash of the three, within the
// last 10,000 batches). When it returns nil the batch is durable.
//
// Each row also records the sensor and batch IDs, the ingest time and the
// tenant's current retention (rows expire that many days after their
// event time).
func (s *Store) InsertEvents(ctx context.Context, t tenant.ID, sensorID, batchID string, events []event.Event) error {
	if err := checkTenant(t); err != nil {
		return err
	}
	if sensorID == "" || len(sensorID) > MaxIDLen || batchID == "" || len(batchID) > MaxIDLen {
		return fmt.Errorf("%w: sensor and batch IDs must be 1 to %d bytes", ErrBadBatch, MaxIDLen)
	}
	if len(events) == 0 {
		return nil
	}
	if len(events) > MaxBatchEvents {
		return fmt.Errorf("%w: %d events, at most %d in a batch", ErrBadBatch, len(events), MaxBatchEvents)
	}
	retention, err := s.retentionDays(ctx, t)
	if err != nil {
		return err
	}
	key := dedupKey(t, sensorID, batchID)
	b := &eventBatch{
		tenant:    t,
		sensorID:  sensorID,
		batchID:   batchID,
		ingest:    s.now().UTC(),
		retention: retention,
		idBase:    idBase(key),
		events:    events,
	}
	settings := []setting{{"insert_deduplicate", "1"}, {"insert_deduplication_token", hex.EncodeToString(key[:])}}
	if s.cfg.Cluster != "" {
		// Acknowledge only when the shards have the rows, not when the
		// Distributed table has queued them on this node.
		settings = append(settings, setting{"distributed_foreground_insert", "1"})
	}
	if err := s.be.insertEvents(ctx, s.db+".events", b, settings); err != nil {
		return fmt.Errorf("store: cannot insert %d events of tenant %s batch %q: %w", len(events), t, batchID, err)
	}
	return nil
}

// dedupKey identifies a batch across retries and collectors.
func dedupKey(t tenant.ID, sensorID, batchID string) [32]byte {
	h := sha256.New()
	h.Write([]byte(t))
	h.Write([]byte{0})
	h.Write([]byte(sensorID))
	h.Write([]byte{0})
	h.Write([]byte(batchID))
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// IDPositionBits is the low part of an event ID that holds the event's
// position in its batch; the high 44 bits are the batch's hash. IDs are so
// unique within a batch, the same when a batch is retried, and
// consecutive within a batch: a day's IDs, sorted by time, repeat their
// high part and count up in the low part. A day stream of random 64-bit
// IDs spent three quarters of its compressed bytes on them.
const IDPositionBits = 20

// MaxBatchEvents bounds the events of one batch (a position must fit
// IDPositionBits).
const MaxBatchEvents = 1 << IDPositionBits

// idBase is the ID of a batch's first event.
func idBase(key [32]byte) uint64 {
	return binary.BigEndian.Uint64(key[:8]) >> IDPositionBits << IDPositionBits
}

// eventBatch is a batch ready to encode.
type eventBatch struct {
	tenant    tenant.ID
	sensorID  string
	batchID   string
	ingest    time.Time
	retention uint16
	idBase    uint64
	events    []event.Event
}

// eventRow is one event's column values, computed without allocating;
// strings alias the event's.
type eventRow struct {
	time     int64 // microseconds
	id       uint64
	srcIP    [16]byte
	srcRaw   string
	srcPort  uint16
	srcPRaw  string
	dstIP    [16]byte
	dstRaw   string
	dstPort  uint16
	dstPRaw  string
	severity event.Severity
	count    uint32
}

func (b *eventBatch) row(i int) eventRow {
	e := &b.events[i]
	var r eventRow
	r.time = e.Time.UnixMicro()
	r.id = b.idBase | uint64(i)
	r.srcIP, r.srcRaw = splitAddr(e.SrcIP)
	r.dstIP, r.dstRaw = splitAddr(e.DstIP)
	r.srcPort, r.srcPRaw = splitPort(e.SrcPort)
	r.dstPort, r.dstPRaw = splitPort(e.DstPort)
	r.severity = event.SeverityOf(e.Info, e.Reference)
	r.count = uint32(min(max(e.Count, 1), math.MaxUint32))
	return r
}

// splitAddr returns the first address of Maltrail's address text as IPv6
// (IPv4 mapped), and the text itself when renderAddr would not give it
// back exactly (lists, X-Forwarded-For chains, other spellings); "" when it
// would.
func splitAddr(text string) ([16]byte, string) {
	first := text
	if i := strings.IndexByte(first, ','); i >= 0 {
		first = first[:i]
	}
	first = strings.TrimSpace(first)
	if !addrChars(first) {
		return [16]byte{}, text
	}
	a, err := netip.ParseAddr(first)
	if err != nil {
		return [16]byte{}, text
	}
	a16 := a.As16()
	var buf [64]byte
	if string(appendAddr(buf[:0], netip.AddrFrom16(a16))) == text {
		return a16, ""
	}
	return a16, text
}

// addrChars reports whether s could be an address: a cheap check that
// spares netip.ParseAddr (whose errors allocate) obvious non-addresses.
func addrChars(s string) bool {
	if i := strings.IndexByte(s, '%'); i >= 0 {
		s = s[:i] // an IPv6 zone may hold any name
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F', c == ':', c == '.':
		default:
			return false
		}
	}
	return true
}

// appendAddr renders a stored address as the sensor would: IPv4 dotted,
// IPv6 in Maltrail's spelling, the unspecified address as nothing.
func appendAddr(dst []byte, a netip.Addr) []byte {
	if a == netip.IPv6Unspecified() {
		return dst
	}
	return event.AppendIP(dst, a.Unmap())
}

// renderAddr is the inverse of splitAddr.
func renderAddr(a netip.Addr, raw string) string {
	if raw != "" {
		return raw
	}
	var buf [64]byte
	return string(appendAddr(buf[:0], a))
}

// splitPort returns the first port of Maltrail's port text and the text
// when renderPort would not give it back exactly.
func splitPort(text string) (uint16, string) {
	first := text
	if i := strings.IndexByte(first, ','); i >= 0 {
		first = first[:i]
	}
	p, ok := parsePort(strings.TrimSpace(first))
	if !ok {
		return 0, text
	}
	var buf [8]byte
	if string(appendPort(buf[:0], uint16(p))) == text {
		return uint16(p), ""
	}
	return uint16(p), text
}

// parsePort parses a decimal port without allocating on bad input (a
// missing port is common: ICMP).
func parsePort(s string) (uint16, bool) {
	if s == "" || len(s) > 5 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if n > 65535 {
		return 0, false
	}
	return uint16(n), true
}

func appendPort(dst []byte, p uint16) []byte {
	if p == 0 {
		return dst
	}
	return strconv.AppendUint(dst, uint64(p), 10)
}

// renderPort is the inverse of splitPort.
func renderPort(p uint16, raw string) string {
	if raw != "" || p == 0 {
		return raw
	}
	return strconv.FormatUint(uint64(p), 10)
}

// byteBuf is a pooled encoding buffer.
type byteBuf struct{ b []byte }

var bufPool = sync.Pool{New: func() any { return new(byteBuf) }}

func getBuf() *byteBuf { return bufPool.Get().(*byteBuf) }

func putBuf(b *byteBuf) {
	// A buffer that grew for an outsized batch is dropped rather than kept.
	if cap(b.b) > 64<<20 {
		b.b = nil
	}
	b.b = b.b[:0]
	bufPool.Put(b)
}
