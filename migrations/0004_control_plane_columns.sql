-- Proper columns for settings the API used to pack into other columns,
-- and the users' TOTP second factor. Every column has a default, so rows
-- written before this migration read as before: TOTP off, zone UTC, no
-- tags, the default webhook throttle.

-- TOTP: the enabled and the pending (set up, not yet confirmed) secret,
-- both sealed by the API (never plain text); the last accepted time step,
-- so that a code is accepted only once.
ALTER TABLE {{.DB}}.users{{.OnCluster}}
    ADD COLUMN IF NOT EXISTS totp_secret String DEFAULT '' AFTER disabled,
    ADD COLUMN IF NOT EXISTS totp_pending String DEFAULT '' AFTER totp_secret,
    ADD COLUMN IF NOT EXISTS totp_enabled Bool DEFAULT false AFTER totp_pending,
    ADD COLUMN IF NOT EXISTS totp_last_step UInt64 DEFAULT 0 AFTER totp_enabled;

-- The IANA zone whose midnights bound the tenant's days.
ALTER TABLE {{.DB}}.tenants{{.OnCluster}}
    ADD COLUMN IF NOT EXISTS time_zone LowCardinality(String) DEFAULT 'UTC' AFTER retention_days;

-- Triage tags, formerly packed with the notes as JSON in note.
ALTER TABLE {{.DB}}.triage{{.OnCluster}}
    ADD COLUMN IF NOT EXISTS tags Array(String) DEFAULT [] AFTER note;

-- Unpack rows written before this migration ({"tags":[…],"notes":"…"} in
-- note). Idempotent: an unpacked note no longer has both keys.
ALTER TABLE {{.DB}}.triage{{.OnCluster}}
    UPDATE tags = JSONExtract(note, 'tags', 'Array(String)'), note = JSONExtractString(note, 'notes')
    WHERE isValidJSON(note) AND JSONHas(note, 'tags') AND JSONHas(note, 'notes');

-- Webhook throttle, formerly packed with the signing secret as JSON in
-- secret.
ALTER TABLE {{.DB}}.webhooks{{.OnCluster}}
    ADD COLUMN IF NOT EXISTS throttle_seconds UInt32 DEFAULT 300 AFTER min_severity;

ALTER TABLE {{.DB}}.webhooks{{.OnCluster}}
    UPDATE throttle_seconds = JSONExtractUInt(secret, 'throttle_seconds'), secret = JSONExtractString(secret, 'secret')
    WHERE isValidJSON(secret) AND JSONHas(secret, 'secret') AND JSONHas(secret, 'throttle_seconds');
