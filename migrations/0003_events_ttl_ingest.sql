-- Retention counts from when Spoor received an event, not from when it
-- happened: a capture replayed today (months-old timestamps) must not be
-- expired the moment it is stored.
ALTER TABLE {{.DB}}.{{.EventsTable}}{{.OnCluster}}
    MODIFY TTL greatest(toDateTime(time), toDateTime(ingest_time)) + toIntervalDay(retention_days);
