package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spoorsec/spoor/tenant"
)

// kind is how a control-plane column's value is passed and read.
type kind uint8

const (
	kStr   kind = iota + 1 // String / LowCardinality(String)
	kBool                  // Bool
	kU8                    // UInt8
	kU16                   // UInt16
	kU32                   // UInt32
	kU64                   // UInt64
	kMilli                 // DateTime64(3, 'UTC'); zero time.Time is stored as the epoch
	kMicro                 // DateTime64(6, 'UTC'); likewise
	kStrs                  // Array(String)
)

type col struct {
	name string
	kind kind
}

// paramTypes are the query-parameter types of the kinds passed as they
// are; times travel as Int64 ticks (see placeholder).
var paramTypes = [...]string{kStr: "String", kBool: "Bool", kU8: "UInt8", kU16: "UInt16", kU32: "UInt32",
	kU64: "UInt64", kStrs: "Array(String)"}

// placeholder is the SQL expression that yields parameter name as the
// column's type.
func (c col) placeholder(name string) string {
	switch c.kind {
	case kMilli:
		return "fromUnixTimestamp64Milli({" + name + ":Int64}, 'UTC')"
	case kMicro:
		return "fromUnixTimestamp64Micro({" + name + ":Int64}, 'UTC')"
	}
	t := paramTypes[c.kind]
	if t == "" {
		t = "String"
	}
	return "{" + name + ":" + t + "}"
}

// paramValue renders v (a value or a pointer to one) for placeholder.
func (c col) paramValue(v any) (string, error) {
	switch x := v.(type) {
	case *string:
		return escapeParam(*x), nil
	case string:
		return escapeParam(x), nil
	case *bool:
		return strconv.FormatBool(*x), nil
	case bool:
		return strconv.FormatBool(x), nil
	case *uint8:
		return strconv.FormatUint(uint64(*x), 10), nil
	case *uint16:
		return strconv.FormatUint(uint64(*x), 10), nil
	case *uint32:
		return strconv.FormatUint(uint64(*x), 10), nil
	case *[]string:
		return arrayLiteral(*x), nil
	case *uint64:
		return strconv.FormatUint(*x, 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case *time.Time:
		return timeParam(*x, c.kind), nil
	case time.Time:
		return timeParam(x, c.kind), nil
	}
	return "", fmt.Errorf("BUG: column %s: unsupported value %T", c.name, v)
}

// arrayLiteral renders strings as ClickHouse's text form of an
// Array(String): ['a','b'], with quotes, backslashes and control
// characters escaped inside the quotes. Both engines parse an array
// parameter as this literal without unescaping it first, so it is not
// passed through escapeParam.
func arrayLiteral(list []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range list {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('\'')
		b.WriteString(arrayEscaper.Replace(s))
		b.WriteByte('\'')
	}
	b.WriteByte(']')
	return b.String()
}

var arrayEscaper = strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\t", `\t`, "\n", `\n`, "\r", `\r`, "\x00", `\0`)

func timeParam(t time.Time, k kind) string {
	if t.IsZero() {
		return "0"
	}
	if k == kMicro {
		return strconv.FormatInt(t.UnixMicro(), 10)
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}

// table describes one control-plane table for the generic operations.
type table[T any] struct {
	name string
	// cols are the columns after tenant, before version/deleted; the first
	// nkey of them, with tenant, are the row's key.
	cols []col
	nkey int
	// fields returns pointers to T's fields in cols order.
	fields func(*T) []any
	// setTenant stores the row's tenant into T.
	setTenant func(*T, tenant.ID)
	// versioned tables are ReplacingMergeTree(version, deleted); others
	// (the audit log) are append-only.
	unversioned bool
}

func (tb *table[T]) colList() string {
	names := make([]string, len(tb.cols))
	for i, c := range tb.cols {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

// put writes v as the newest version of its row.
func (tb *table[T]) put(ctx context.Context, s *Store, t tenant.ID, v *T) error {
	if err := checkTenant(t); err != nil {
		return err
	}
	fields := tb.fields(v)
	params := make([]param, 0, len(fields)+2)
	params = append(params, strParam("tenant", string(t)))
	exprs := make([]string, 0, len(fields)+3)
	exprs = append(exprs, "{tenant:String}")
	for i, c := range tb.cols {
		name := "p" + strconv.Itoa(i)
		val, err := c.paramValue(fields[i])
		if err != nil {
			return err
		}
		params = append(params, param{name, val})
		exprs = append(exprs, c.placeholder(name))
	}
	cols := "tenant, " + tb.colList()
	if !tb.unversioned {
		cols += ", version, deleted"
		exprs = append(exprs, "{version:UInt64}", "0")
		params = append(params, param{"version", strconv.FormatUint(s.nextVersion(), 10)})
	}
	sql := "INSERT INTO " + s.db + "." + tb.name + " (" + cols + ") SELECT " + strings.Join(exprs, ", ")
	if err := s.be.exec(ctx, sql, params); err != nil {
		return fmt.Errorf("store: cannot write %s of tenant %s: %w", tb.name, t, err)
	}
	return nil
}

// keyWhere renders "tenant = … AND k1 = … " for key values.
func (tb *table[T]) keyWhere(t tenant.ID, key []any) (string, []param, error) {
	if len(key) != tb.nkey {
		return "", nil, fmt.Errorf("BUG: %s takes %d key values, got %d", tb.name, tb.nkey, len(key))
	}
	where := []string{"tenant = {tenant:String}"}
	params := []param{strParam("tenant", string(t))}
	for i, k := range key {
		c := tb.cols[i]
		name := "k" + strconv.Itoa(i)
		val, err := c.paramValue(k)
		if err != nil {
			return "", nil, err
		}
		where = append(where, c.name+" = "+c.placeholder(name))
		params = append(params, param{name, val})
	}
	return strings.Join(where, " AND "), params, nil
}

// del writes a tombstone for the row with the given key.
func (tb *table[T]) del(ctx context.Context, s *Store, t tenant.ID, key ...any) error {
	if err := checkTenant(t); err != nil {
		return err
	}
	if len(key) != tb.nkey {
		return fmt.Errorf("BUG: %s takes %d key values, got %d", tb.name, tb.nkey, len(key))
	}
	cols := []string{"tenant"}
	exprs := []string{"{tenant:String}"}
	params := []param{strParam("tenant", string(t))}
	for i, k := range key {
		c := tb.cols[i]
		name := "k" + strconv.Itoa(i)
		val, err := c.paramValue(k)
		if err != nil {
			return err
		}
		cols = append(cols, c.name)
		exprs = append(exprs, c.placeholder(name))
		params = append(params, param{name, val})
	}
	cols = append(cols, "version", "deleted")
	exprs = append(exprs, "{version:UInt64}", "1")
	params = append(params, param{"version", strconv.FormatUint(s.nextVersion(), 10)})
	sql := "INSERT INTO " + s.db + "." + tb.name + " (" + strings.Join(cols, ", ") + ") SELECT " + strings.Join(exprs, ", ")
	if err := s.be.exec(ctx, sql, params); err != nil {
		return fmt.Errorf("store: cannot delete %s of tenant %s: %w", tb.name, t, err)
	}
	return nil
}

// get returns the live row with the given key, or ErrNotFound.
func (tb *table[T]) get(ctx context.Context, s *Store, t tenant.ID, key ...any) (T, error) {
	var zero T
	if err := checkTenant(t); err != nil {
		return zero, err
	}
	where, params, err := tb.keyWhere(t, key)
	if err != nil {
		return zero, err
	}
	out, err := tb.selectRows(ctx, s, where, params, "", 1)
	if err != nil {
		return zero, err
	}
	if len(out) == 0 {
		return zero, fmt.Errorf("%w: %s %v of tenant %s", ErrNotFound, tb.name, key, t)
	}
	return out[0], nil
}

// list returns tenant t's live rows in key order.
func (tb *table[T]) list(ctx context.Context, s *Store, t tenant.ID) ([]T, error) {
	if err := checkTenant(t); err != nil {
		return nil, err
	}
	return tb.selectRows(ctx, s, "tenant = {tenant:String}", []param{strParam("tenant", string(t))}, "", 0)
}

// selectRows reads rows matching where (which must constrain tenant
// unless the caller is a documented cross-tenant lookup).
func (tb *table[T]) selectRows(ctx context.Context, s *Store, where string, params []param, order string, limit int) ([]T, error) {
	var q strings.Builder
	q.WriteString("SELECT tenant, " + tb.colList() + " FROM " + s.db + "." + tb.name)
	if !tb.unversioned {
		q.WriteString(" FINAL WHERE (" + where + ") AND deleted = 0")
	} else {
		q.WriteString(" WHERE " + where)
	}
	if order == "" {
		keys := []string{"tenant"}
		for _, c := range tb.cols[:tb.nkey] {
			keys = append(keys, c.name)
		}
		order = strings.Join(keys, ", ")
	}
	q.WriteString(" ORDER BY " + order)
	if limit > 0 {
		q.WriteString(" LIMIT " + strconv.Itoa(limit))
	}
	r, err := s.be.query(ctx, q.String(), params)
	if err != nil {
		return nil, fmt.Errorf("store: cannot read %s: %w", tb.name, err)
	}
	defer r.Close()
	var out []T
	for r.Next() {
		var v T
		var ts string
		fields := tb.fields(&v)
		if err := r.Scan(append([]any{&ts}, fields...)...); err != nil {
			return nil, fmt.Errorf("store: cannot read %s: %w", tb.name, err)
		}
		id, err := tenant.New(ts)
		if err != nil {
			return nil, fmt.Errorf("store: %s holds a row with a bad tenant: %w", tb.name, err)
		}
		tb.setTenant(&v, id)
		for _, f := range fields {
			if p, ok := f.(*time.Time); ok {
				*p = normTime(*p)
			}
		}
		out = append(out, v)
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("store: cannot read %s: %w", tb.name, err)
	}
	return out, nil
}

// normTime maps the stored epoch back to the zero time and puts times in
// UTC.
func normTime(t time.Time) time.Time {
	if t.UnixNano() == 0 {
		return time.Time{}
	}
	return t.UTC()
}
