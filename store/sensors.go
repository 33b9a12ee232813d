package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spoorsec/spoor/tenant"
)

// ErrRevoked is returned with a credential that was revoked.
var ErrRevoked = errors.New("store: credential revoked")

// ErrExpired is returned with a credential past its expiry.
var ErrExpired = errors.New("store: credential expired")

// touchInterval throttles TouchSensor's writes per sensor and process.
const touchInterval = time.Minute

// Sensor is a sensor's registration and credentials. The token is stored
// only as a hash (hashing is the API's job); the UDP key must be usable to
// verify HMACs, so it is stored as given.
type Sensor struct {
	Tenant    tenant.ID
	ID        string
	Name      string
	TokenHash string
	UDPKeyID  string
	UDPKey    string
	Revoked   bool
	CreatedAt time.Time
	UpdatedAt time.Time
	// LastSeen is the last TouchSensor time (zero if never); read-only.
	LastSeen time.Time
}

var sensorsTable = table[Sensor]{
	name: "sensors",
	cols: []col{{"id", kStr}, {"name", kStr}, {"token_hash", kStr}, {"udp_key_id", kStr}, {"udp_key", kStr},
		{"revoked", kBool}, {"created_at", kMilli}, {"updated_at", kMilli}},
	nkey: 1,
	fields: func(v *Sensor) []any {
		return []any{&v.ID, &v.Name, &v.TokenHash, &v.UDPKeyID, &v.UDPKey, &v.Revoked, &v.CreatedAt, &v.UpdatedAt}
	},
	setTenant: func(v *Sensor, t tenant.ID) { v.Tenant = t },
}

type sensorKey struct {
	tenant tenant.ID
	id     string
}

// PutSensor creates or replaces sensor v.ID of tenant t (LastSeen is
// ignored). Revoke a sensor by putting it with Revoked set.
func (s *Store) PutSensor(ctx context.Context, t tenant.ID, v Sensor) error {
	if v.ID == "" || len(v.ID) > MaxIDLen {
		return fmt.Errorf("%w: sensor ID must be 1 to %d bytes", ErrInvalid, MaxIDLen)
	}
	stamp(s, &v.CreatedAt, &v.UpdatedAt)
	return sensorsTable.put(ctx, s, t, &v)
}

// Sensor returns sensor id of tenant t, or ErrNotFound.
func (s *Store) Sensor(ctx context.Context, t tenant.ID, id string) (Sensor, error) {
	v, err := sensorsTable.get(ctx, s, t, id)
	if err != nil {
		return v, err
	}
	seen, err := s.lastSeen(ctx, t, id)
	v.LastSeen = seen[id]
	return v, err
}

// Sensors lists tenant t's sensors by ID, with their last contact.
func (s *Store) Sensors(ctx context.Context, t tenant.ID) ([]Sensor, error) {
	list, err := sensorsTable.list(ctx, s, t)
	if err != nil {
		return nil, err
	}
	seen, err := s.lastSeen(ctx, t, "")
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].LastSeen = seen[list[i].ID]
	}
	return list, nil
}

// DeleteSensor removes sensor id of tenant t; its credentials stop working.
func (s *Store) DeleteSensor(ctx context.Context, t tenant.ID, id string) error {
	return sensorsTable.del(ctx, s, t, id)
}

// SensorByTokenHash finds the sensor whose token hashes to hash, in any
// tenant: the ingest authentication lookup that yields the tenant. A
// revoked sensor is returned with ErrRevoked; no match is ErrNotFound; a
// hash shared by two sensors is refused.
func (s *Store) SensorByTokenHash(ctx context.Context, hash string) (Sensor, error) {
	return s.sensorBy(ctx, "token_hash", hash)
}

// SensorByUDPKeyID finds the sensor owning UDP key keyID, in any tenant,
// as SensorByTokenHash does.
func (s *Store) SensorByUDPKeyID(ctx context.Context, keyID string) (Sensor, error) {
	return s.sensorBy(ctx, "udp_key_id", keyID)
}

func (s *Store) sensorBy(ctx context.Context, column, value string) (Sensor, error) {
	if value == "" {
		return Sensor{}, fmt.Errorf("%w: empty credential", ErrNotFound)
	}
	list, err := sensorsTable.selectRows(ctx, s, column+" = {v:String}", []param{strParam("v", value)}, "", 2)
	if err != nil {
		return Sensor{}, err
	}
	switch len(list) {
	case 0:
		return Sensor{}, fmt.Errorf("%w: no sensor with that %s", ErrNotFound, column)
	case 2:
		return Sensor{}, fmt.Errorf("store: %s shared by sensors %s/%s and %s/%s: refusing it",
			column, list[0].Tenant, list[0].ID, list[1].Tenant, list[1].ID)
	}
	if list[0].Revoked {
		return list[0], fmt.Errorf("%w: sensor %s of tenant %s", ErrRevoked, list[0].ID, list[0].Tenant)
	}
	return list[0], nil
}

// TouchSensor records that sensor id of tenant t was heard from at time
// at. Writes are throttled to one per sensor per minute per process, so it
// can be called for every batch.
func (s *Store) TouchSensor(ctx context.Context, t tenant.ID, id string, at time.Time) error {
	if err := checkTenant(t); err != nil {
		return err
	}
	k := sensorKey{t, id}
	s.seenMu.Lock()
	last, ok := s.seen[k]
	if ok && at.Sub(last) < touchInterval {
		s.seenMu.Unlock()
		return nil
	}
	s.seen[k] = at
	s.seenMu.Unlock()
	sql := "INSERT INTO " + s.db + ".sensor_seen (tenant, sensor_id, last_seen) SELECT {tenant:String}, {id:String}, fromUnixTimestamp64Milli({at:Int64}, 'UTC')"
	params := []param{strParam("tenant", string(t)), strParam("id", id), {"at", timeParam(at, kMilli)}}
	if err := s.be.exec(ctx, sql, params); err != nil {
		s.seenMu.Lock()
		delete(s.seen, k)
		s.seenMu.Unlock()
		return fmt.Errorf("store: cannot record contact of sensor %s of tenant %s: %w", id, t, err)
	}
	return nil
}

// lastSeen returns tenant t's sensors' last contact, for one sensor or
// (id "") all.
func (s *Store) lastSeen(ctx context.Context, t tenant.ID, id string) (map[string]time.Time, error) {
	sql := "SELECT sensor_id, max(last_seen) FROM " + s.db + ".sensor_seen WHERE tenant = {tenant:String}"
	params := []param{strParam("tenant", string(t))}
	if id != "" {
		sql += " AND sensor_id = {id:String}"
		params = append(params, strParam("id", id))
	}
	sql += " GROUP BY sensor_id"
	r, err := s.be.query(ctx, sql, params)
	if err != nil {
		return nil, fmt.Errorf("store: cannot read sensor contacts of tenant %s: %w", t, err)
	}
	defer r.Close()
	out := map[string]time.Time{}
	for r.Next() {
		var sid string
		var at time.Time
		if err := r.Scan(&sid, &at); err != nil {
			return nil, fmt.Errorf("store: cannot read sensor contacts: %w", err)
		}
		out[sid] = at.UTC()
	}
	return out, r.Err()
}
