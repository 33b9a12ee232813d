package store

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// serverBackend talks to a ClickHouse server (or cluster) through
// clickhouse-go: the native protocol in production, HTTP when the DSN says
// so.
type serverBackend struct {
	conn driver.Conn
	// native, for an HTTP(S) DSN, reads events SELECTs column by column.
	native *nativeHTTP
}

func withParams(ctx context.Context, params []param) context.Context {
	if len(params) == 0 {
		return ctx
	}
	p := make(clickhouse.Parameters, len(params))
	for _, x := range params {
		p[x.name] = x.value
	}
	return clickhouse.Context(ctx, clickhouse.WithParameters(p))
}

func (b *serverBackend) exec(ctx context.Context, sql string, params []param) error {
	return b.conn.Exec(withParams(ctx, params), sql)
}

func (b *serverBackend) query(ctx context.Context, sql string, params []param) (rows, error) {
	return b.conn.Query(withParams(ctx, params), sql)
}

// startRead reads Native blocks over HTTP(S); over the native protocol,
// its rows are scanned one by one, as clickhouse-go hands them out.
func (b *serverBackend) startRead(ctx context.Context, sql string, params []param) (pendingRead, error) {
	if b.native != nil {
		data, err := b.native.read(ctx, sql, params)
		if err != nil {
			return nil, err
		}
		return nativeBytes(data), nil
	}
	r, err := b.conn.Query(withParams(ctx, params), sql)
	if err != nil {
		return nil, err
	}
	return rowsRead{r}, nil
}

// rowsRead scans a statement's rows as the server sends them.
type rowsRead struct{ rows driver.Rows }

func (r rowsRead) decodeInto(dec *eventDecoder, dst *EventColumns) error {
	sc := newEventScanner(dec)
	var e StoredEvent
	for r.rows.Next() {
		if err := sc.scan(r.rows, &e); err != nil {
			return err
		}
		dst.Append(&e)
	}
	return r.rows.Err()
}

func (r rowsRead) close() { r.rows.Close() }

// insertEvents sends the batch with PrepareBatch: one INSERT whose block is
// filled column by column.
func (b *serverBackend) insertEvents(ctx context.Context, table string, batch *eventBatch, settings []setting) error {
	set := make(clickhouse.Settings, len(settings))
	for _, s := range settings {
		set[s.name] = s.value
	}
	cols := make([]clickhouse.ColumnNameAndType, len(eventColumnNames))
	for i, n := range eventColumnNames {
		cols[i] = clickhouse.ColumnNameAndType{Name: n, Type: eventColumnTypes[i]}
	}
	ctx = clickhouse.Context(ctx, clickhouse.WithSettings(set), clickhouse.WithColumnNamesAndTypes(cols))
	// The column list keeps Column(i) aligned with eventColumnNames whatever
	// columns later migrations add to the table.
	bt, err := b.conn.PrepareBatch(ctx, "INSERT INTO "+table+" ("+strings.Join(eventColumnNames, ", ")+")")
	if err != nil {
		return fmt.Errorf("prepare batch: %w", err)
	}
	defer bt.Close()
	c := newEventColumns(batch)
	for i, v := range c.values() {
		if err := bt.Column(i).Append(v); err != nil {
			return fmt.Errorf("column %s: %w", eventColumnNames[i], err)
		}
	}
	return bt.Send()
}

func (b *serverBackend) close() error { return b.conn.Close() }

// eventColumns is a batch laid out column by column for clickhouse-go.
type eventColumns struct {
	tenant, sensor, srcRaw, srcPRaw, dstRaw, dstPRaw         []string
	proto, typ, trail, info, ref                             []string
	method, host, uri, ua, sni, ja4, cert, sensorID, batchID []string
	time, ingest                                             []time.Time
	id                                                       []uint64
	srcIP, dstIP                                             []netip.Addr
	srcPort, dstPort, qtype, retention                       []uint16
	severity, rcode                                          []int8
	count                                                    []uint32
}

func newEventColumns(b *eventBatch) *eventColumns {
	n := len(b.events)
	s := func() []string { return make([]string, n) }
	c := &eventColumns{
		tenant: s(), sensor: s(), srcRaw: s(), srcPRaw: s(), dstRaw: s(), dstPRaw: s(),
		proto: s(), typ: s(), trail: s(), info: s(), ref: s(),
		method: s(), host: s(), uri: s(), ua: s(), sni: s(), ja4: s(), cert: s(), sensorID: s(), batchID: s(),
		time: make([]time.Time, n), ingest: make([]time.Time, n), id: make([]uint64, n),
		srcIP: make([]netip.Addr, n), dstIP: make([]netip.Addr, n),
		srcPort: make([]uint16, n), dstPort: make([]uint16, n), qtype: make([]uint16, n), retention: make([]uint16, n),
		severity: make([]int8, n), rcode: make([]int8, n), count: make([]uint32, n),
	}
	for i := range b.events {
		e := &b.events[i]
		r := b.row(i)
		c.tenant[i] = string(b.tenant)
		c.time[i] = time.UnixMicro(r.time).UTC()
		c.id[i] = r.id
		c.sensor[i] = e.Sensor
		c.srcIP[i], c.srcRaw[i], c.srcPort[i], c.srcPRaw[i] = netip.AddrFrom16(r.srcIP), r.srcRaw, r.srcPort, r.srcPRaw
		c.dstIP[i], c.dstRaw[i], c.dstPort[i], c.dstPRaw[i] = netip.AddrFrom16(r.dstIP), r.dstRaw, r.dstPort, r.dstPRaw
		c.proto[i], c.typ[i], c.trail[i], c.info[i], c.ref[i] = e.Proto, string(e.Type), e.Trail, e.Info, e.Reference
		c.severity[i], c.count[i] = int8(r.severity), r.count
		x := &e.Context
		c.qtype[i], c.rcode[i] = x.DNSQType, x.DNSRcode
		c.method[i], c.host[i], c.uri[i], c.ua[i] = x.HTTPMethod, x.HTTPHost, x.HTTPURI, x.HTTPUserAgent
		c.sni[i], c.ja4[i], c.cert[i] = x.TLSSNI, x.JA4, x.CertSHA1
		c.sensorID[i], c.batchID[i], c.ingest[i], c.retention[i] = b.sensorID, b.batchID, b.ingest, b.retention
	}
	return c
}

// values returns the columns in eventColumnNames order.
func (c *eventColumns) values() []any {
	return []any{
		c.tenant, c.time, c.id, c.sensor,
		c.srcIP, c.srcRaw, c.srcPort, c.srcPRaw,
		c.dstIP, c.dstRaw, c.dstPort, c.dstPRaw,
		c.proto, c.typ, c.trail, c.info, c.ref, c.severity, c.count,
		c.qtype, c.rcode, c.method, c.host, c.uri, c.ua,
		c.sni, c.ja4, c.cert,
		c.sensorID, c.batchID, c.ingest, c.retention,
	}
}
