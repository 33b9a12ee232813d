package collector

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

// AttemptHeader carries a delivery's attempt number (1 for the first).
// Shippers send 2 or more for a retry, and for a batch recovered from the
// spool at start-up, which an earlier run may have sent.
const AttemptHeader = "X-Spoor-Attempt"

// Why retries are verified: the embedded engine's insert deduplication
// records a batch's token before it commits the batch's part, so a
// collector killed between the two leaves a token for rows that do not
// exist, and the retry of that batch is silently "deduplicated" away. A
// retried batch is therefore looked up after its insert; if none of its
// rows are there, it is inserted again under a derived batch ID (ID.rN),
// whose token is new. Later retries count rows of ID and ID.r* together,
// so the batch is still stored once.

// sqlQuerier is what verification needs from the store (store.Store has
// it); without it, retries are trusted to the engine's deduplication.
type sqlQuerier interface {
	QuerySQL(ctx context.Context, t tenant.ID, sql string, limits store.Limits) (*store.SQLResult, error)
}

// insertRetry stores a batch delivered again (attempt ≥ 2).
func (c *Collector) insertRetry(ctx context.Context, sensor store.Sensor, batchID string, attempt int, events []event.Event) error {
	if err := c.store.InsertEvents(ctx, sensor.Tenant, sensor.ID, batchID, events); err != nil {
		return err
	}
	q, ok := c.store.(sqlQuerier)
	if !ok || len(events) == 0 {
		return nil
	}
	n, err := storedRows(ctx, q, sensor, batchID, events)
	if err != nil {
		return fmt.Errorf("cannot verify retried batch: %w", err)
	}
	if n > 0 {
		return nil
	}
	again := batchID + ".r" + strconv.Itoa(attempt)
	c.log.Warn("retried batch was deduplicated but is not stored (its first insert was cut off): storing it again",
		"tenant", sensor.Tenant, "sensor", sensor.ID, "batch", batchID, "as", again, "events", len(events))
	if err := c.store.InsertEvents(ctx, sensor.Tenant, sensor.ID, again, events); err != nil {
		return err
	}
	if n, err = storedRows(ctx, q, sensor, batchID, events); err != nil {
		return fmt.Errorf("cannot verify retried batch: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("batch %s still not stored after inserting it as %s", batchID, again)
	}
	return nil
}

// storedRows counts the stored rows of batch batchID (and its re-inserts
// batchID.r*) of sensor, within the batch's time range.
func storedRows(ctx context.Context, q sqlQuerier, sensor store.Sensor, batchID string, events []event.Event) (uint64, error) {
	lo, hi := events[0].Time, events[0].Time
	for i := range events {
		lo, hi = minTime(lo, events[i].Time), maxTime(hi, events[i].Time)
	}
	// Batch IDs are [A-Za-z0-9._-] (ingest checks); the sensor ID is quoted.
	sql := "SELECT count() FROM events WHERE sensor_id = " + quote(sensor.ID) +
		" AND (batch_id = " + quote(batchID) + " OR startsWith(batch_id, " + quote(batchID+".r") + "))" +
		" AND time >= fromUnixTimestamp64Micro(" + strconv.FormatInt(lo.UnixMicro(), 10) + ", 'UTC')" +
		" AND time <= fromUnixTimestamp64Micro(" + strconv.FormatInt(hi.UnixMicro(), 10) + ", 'UTC')"
	res, err := q.QuerySQL(ctx, sensor.Tenant, sql, store.Limits{MaxRows: 1, MaxExecutionTime: time.Minute})
	if err != nil {
		return 0, err
	}
	if len(res.Rows) != 1 {
		return 0, fmt.Errorf("count returned %d rows", len(res.Rows))
	}
	var row []json.Number
	if err := json.Unmarshal(unquoteNumbers(res.Rows[0]), &row); err != nil || len(row) != 1 {
		return 0, fmt.Errorf("unexpected count row %s: %v", res.Rows[0], err)
	}
	return strconv.ParseUint(row[0].String(), 10, 64)
}

// unquoteNumbers turns ["123"] into [123]: 64-bit integers come quoted.
func unquoteNumbers(raw []byte) []byte {
	return []byte(strings.ReplaceAll(string(raw), `"`, ""))
}

// quote renders s as a ClickHouse string literal.
func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
