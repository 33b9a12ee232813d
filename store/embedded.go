package store

import (
	"context"
	"strings"

	"github.com/spoorsec/spoor/store/chdb"
)

// embeddedBackend runs statements in-process on chDB.
type embeddedBackend struct {
	eng *chdb.Engine
}

func toChdbParams(params []param) []chdb.Param {
	if len(params) == 0 {
		return nil
	}
	out := make([]chdb.Param, len(params))
	for i, p := range params {
		out[i] = chdb.Param{Name: p.name, Value: p.value}
	}
	return out
}

func (b *embeddedBackend) exec(ctx context.Context, sql string, params []param) error {
	res, err := b.eng.Query(ctx, []byte(sql), "", toChdbParams(params)...)
	if err != nil {
		return err
	}
	res.Free()
	return nil
}

func (b *embeddedBackend) query(ctx context.Context, sql string, params []param) (rows, error) {
	res, err := b.eng.Query(ctx, []byte(sql), "RowBinaryWithNamesAndTypes", toChdbParams(params)...)
	if err != nil {
		return nil, err
	}
	r, err := newRBRows(res.Data(), res.Free)
	if err != nil {
		res.Free()
		return nil, err
	}
	return r, nil
}

// startRead selects in Native, which the engine writes faster than row
// formats and which keeps LowCardinality columns as dictionaries.
func (b *embeddedBackend) startRead(ctx context.Context, sql string, params []param) (pendingRead, error) {
	res, err := b.eng.Query(ctx, []byte(sql), "Native", toChdbParams(params)...)
	if err != nil {
		return nil, err
	}
	return nativeRead{res}, nil
}

// nativeRead is a finished statement's Native output, in the engine's
// memory until closed.
type nativeRead struct{ res *chdb.Result }

func (r nativeRead) decodeInto(dec *eventDecoder, dst *EventColumns) error {
	return dec.decodeColumns(r.res.Data(), dst)
}

func (r nativeRead) close() { r.res.Free() }

// insertEvents sends the batch as one INSERT of a Native block (see
// chdb.Engine.Insert for how the data travels).
func (b *embeddedBackend) insertEvents(ctx context.Context, table string, batch *eventBatch, settings []setting) error {
	set := make([]chdb.Setting, len(settings))
	for i, s := range settings {
		set[i] = chdb.Setting{Name: s.name, Value: s.value}
	}
	buf := getBuf()
	defer putBuf(buf)
	sc := scratchPool.Get().(*nativeScratch)
	buf.b = batch.appendNative(buf.b[:0], sc)
	sc.rows = sc.rows[:0] // drop references to the batch's strings
	clear(sc.dict)
	sc.keys = sc.keys[:0]
	scratchPool.Put(sc)
	into := "INSERT INTO " + table + " (" + strings.Join(eventColumnNames, ", ") + ")"
	return b.eng.Insert(ctx, into, set, "Native", buf.b)
}

func (b *embeddedBackend) close() error { return b.eng.Close() }
