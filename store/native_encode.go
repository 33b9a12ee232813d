package store

import (
	"encoding/binary"
	"math"
	"sync"
)

// nativeScratch is reusable state of appendNative.
type nativeScratch struct {
	rows []eventRow
	dict map[string]uint32
	keys []string
	idx  []uint32
}

var scratchPool = sync.Pool{New: func() any { return &nativeScratch{dict: map[string]uint32{}} }}

// appendNative appends the batch as one block in ClickHouse's Native
// format (protocol revision 0, as an INSERT body), columns in
// eventColumnNames order. Native is columnar and carries LowCardinality
// columns as dictionary plus indexes, which the engine ingests markedly
// faster than row formats (measured: 150k events/s with RowBinary, over
// 200k with Native, embedded, 2 cores). In steady state it allocates
// nothing beyond growing dst.
func (b *eventBatch) appendNative(dst []byte, sc *nativeScratch) []byte {
	n := len(b.events)
	sc.rows = sc.rows[:0]
	for i := range b.events {
		sc.rows = append(sc.rows, b.row(i))
	}
	ev, rows := b.events, sc.rows
	dst = binary.AppendUvarint(dst, uint64(len(eventColumnNames)))
	dst = binary.AppendUvarint(dst, uint64(n))
	for c, name := range eventColumnNames {
		dst = appendStr(dst, name)
		dst = appendStr(dst, eventColumnTypes[c])
		switch name {
		case "tenant":
			dst = appendLCConst(dst, string(b.tenant), n)
		case "sensor_id":
			dst = appendLCConst(dst, b.sensorID, n)
		case "time":
			for i := range rows {
				dst = binary.LittleEndian.AppendUint64(dst, uint64(rows[i].time))
			}
		case "id":
			for i := range rows {
				dst = binary.LittleEndian.AppendUint64(dst, rows[i].id)
			}
		case "sensor":
			dst = sc.appendLC(dst, n, func(i int) string { return ev[i].Sensor })
		case "src_ip":
			for i := range rows {
				dst = append(dst, rows[i].srcIP[:]...)
			}
		case "src_ip_raw":
			for i := range rows {
				dst = appendStr(dst, rows[i].srcRaw)
			}
		case "src_port":
			for i := range rows {
				dst = binary.LittleEndian.AppendUint16(dst, rows[i].srcPort)
			}
		case "src_port_raw":
			for i := range rows {
				dst = appendStr(dst, rows[i].srcPRaw)
			}
		case "dst_ip":
			for i := range rows {
				dst = append(dst, rows[i].dstIP[:]...)
			}
		case "dst_ip_raw":
			for i := range rows {
				dst = appendStr(dst, rows[i].dstRaw)
			}
		case "dst_port":
			for i := range rows {
				dst = binary.LittleEndian.AppendUint16(dst, rows[i].dstPort)
			}
		case "dst_port_raw":
			for i := range rows {
				dst = appendStr(dst, rows[i].dstPRaw)
			}
		case "proto":
			dst = sc.appendLC(dst, n, func(i int) string { return ev[i].Proto })
		case "type":
			dst = sc.appendLC(dst, n, func(i int) string { return string(ev[i].Type) })
		case "trail":
			for i := range ev {
				dst = appendStr(dst, ev[i].Trail)
			}
		case "info":
			dst = sc.appendLC(dst, n, func(i int) string { return ev[i].Info })
		case "reference":
			dst = sc.appendLC(dst, n, func(i int) string { return ev[i].Reference })
		case "severity":
			for i := range rows {
				dst = append(dst, byte(rows[i].severity))
			}
		case "count":
			for i := range rows {
				dst = binary.LittleEndian.AppendUint32(dst, rows[i].count)
			}
		case "dns_qtype":
			for i := range ev {
				dst = binary.LittleEndian.AppendUint16(dst, ev[i].Context.DNSQType)
			}
		case "dns_rcode":
			for i := range ev {
				dst = append(dst, byte(ev[i].Context.DNSRcode))
			}
		case "http_method":
			dst = sc.appendLC(dst, n, func(i int) string { return ev[i].Context.HTTPMethod })
		case "http_host":
			for i := range ev {
				dst = appendStr(dst, ev[i].Context.HTTPHost)
			}
		case "http_uri":
			for i := range ev {
				dst = appendStr(dst, ev[i].Context.HTTPURI)
			}
		case "http_user_agent":
			for i := range ev {
				dst = appendStr(dst, ev[i].Context.HTTPUserAgent)
			}
		case "tls_sni":
			for i := range ev {
				dst = appendStr(dst, ev[i].Context.TLSSNI)
			}
		case "ja4":
			dst = sc.appendLC(dst, n, func(i int) string { return ev[i].Context.JA4 })
		case "cert_sha1":
			for i := range ev {
				dst = appendStr(dst, ev[i].Context.CertSHA1)
			}
		case "batch_id":
			for range ev {
				dst = appendStr(dst, b.batchID)
			}
		case "ingest_time":
			ms := uint64(b.ingest.UnixMilli())
			for range ev {
				dst = binary.LittleEndian.AppendUint64(dst, ms)
			}
		case "retention_days":
			for range ev {
				dst = binary.LittleEndian.AppendUint16(dst, b.retention)
			}
		default:
			panic("BUG: no Native encoding for column " + name)
		}
	}
	return dst
}

// LowCardinality's Native serialization: a state prefix (version 1,
// shared dictionaries with additional keys), then per block the index
// width with the "additional keys, update dictionary" flags, the
// dictionary (entry 0 is the default, ""), and one index per row.
const (
	lcVersion     = 1
	lcUpdateAll   = 1<<9 | 1<<10
	lcIndexUInt8  = 0
	lcIndexUInt16 = 1
	lcIndexUInt32 = 2
)

// appendLCConst writes a LowCardinality(String) column holding v in every
// row.
func appendLCConst(dst []byte, v string, n int) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, lcVersion)
	dst = binary.LittleEndian.AppendUint64(dst, lcUpdateAll|lcIndexUInt8)
	dst = binary.LittleEndian.AppendUint64(dst, 2)
	dst = appendStr(dst, "")
	dst = appendStr(dst, v)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(n))
	key := byte(1)
	if v == "" {
		key = 0
	}
	for range n {
		dst = append(dst, key)
	}
	return dst
}

// appendLC writes a LowCardinality(String) column of n rows whose values
// value(i) yields.
func (sc *nativeScratch) appendLC(dst []byte, n int, value func(int) string) []byte {
	clear(sc.dict)
	sc.keys = append(sc.keys[:0], "")
	sc.dict[""] = 0
	sc.idx = sc.idx[:0]
	for i := range n {
		v := value(i)
		k, ok := sc.dict[v]
		if !ok {
			k = uint32(len(sc.keys))
			sc.dict[v] = k
			sc.keys = append(sc.keys, v)
		}
		sc.idx = append(sc.idx, k)
	}
	dst = binary.LittleEndian.AppendUint64(dst, lcVersion)
	width := uint64(lcIndexUInt8)
	switch {
	case len(sc.keys) > math.MaxUint16:
		width = lcIndexUInt32
	case len(sc.keys) > math.MaxUint8:
		width = lcIndexUInt16
	}
	dst = binary.LittleEndian.AppendUint64(dst, lcUpdateAll|width)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(len(sc.keys)))
	for _, k := range sc.keys {
		dst = appendStr(dst, k)
	}
	dst = binary.LittleEndian.AppendUint64(dst, uint64(n))
	for _, k := range sc.idx {
		switch width {
		case lcIndexUInt8:
			dst = append(dst, byte(k))
		case lcIndexUInt16:
			dst = binary.LittleEndian.AppendUint16(dst, uint16(k))
		default:
			dst = binary.LittleEndian.AppendUint32(dst, k)
		}
	}
	return dst
}

func appendStr(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}
