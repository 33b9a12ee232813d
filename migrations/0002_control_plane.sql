-- Control-plane tables: small ReplacingMergeTree tables. A change is a new
-- row with a higher `version`; a delete is a row with deleted = 1. Reads
-- use FINAL and skip deleted rows. Tenant first in every sort key.

CREATE TABLE IF NOT EXISTS {{.DB}}.tenants{{.OnCluster}}
(
    tenant         LowCardinality(String),
    name           String,
    retention_days UInt16,
    created_at     DateTime64(3, 'UTC'),
    updated_at     DateTime64(3, 'UTC'),
    version        UInt64,
    deleted        UInt8
)
ENGINE = {{engine "ReplacingMergeTree" "tenants" "version" "deleted"}}
ORDER BY tenant;

CREATE TABLE IF NOT EXISTS {{.DB}}.users{{.OnCluster}}
(
    tenant        LowCardinality(String),
    name          String,
    password_hash String,
    role          LowCardinality(String),
    disabled      Bool,
    created_at    DateTime64(3, 'UTC'),
    updated_at    DateTime64(3, 'UTC'),
    version       UInt64,
    deleted       UInt8
)
ENGINE = {{engine "ReplacingMergeTree" "users" "version" "deleted"}}
ORDER BY (tenant, name);

CREATE TABLE IF NOT EXISTS {{.DB}}.sensors{{.OnCluster}}
(
    tenant     LowCardinality(String),
    id         String,
    name       String,
    token_hash String,
    udp_key_id String,
    udp_key    String,
    revoked    Bool,
    created_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC'),
    version    UInt64,
    deleted    UInt8
)
ENGINE = {{engine "ReplacingMergeTree" "sensors" "version" "deleted"}}
ORDER BY (tenant, id);

-- Last contact per sensor, kept apart from `sensors` so that frequent
-- touches do not rewrite credential rows.
CREATE TABLE IF NOT EXISTS {{.DB}}.sensor_seen{{.OnCluster}}
(
    tenant    LowCardinality(String),
    sensor_id String,
    last_seen DateTime64(3, 'UTC')
)
ENGINE = {{engine "ReplacingMergeTree" "sensor_seen" "last_seen"}}
ORDER BY (tenant, sensor_id);

CREATE TABLE IF NOT EXISTS {{.DB}}.api_tokens{{.OnCluster}}
(
    tenant     LowCardinality(String),
    id         String,
    name       String,
    token_hash String,
    role       LowCardinality(String),
    expires_at DateTime64(3, 'UTC'),
    revoked    Bool,
    created_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC'),
    version    UInt64,
    deleted    UInt8
)
ENGINE = {{engine "ReplacingMergeTree" "api_tokens" "version" "deleted"}}
ORDER BY (tenant, id);

CREATE TABLE IF NOT EXISTS {{.DB}}.custom_trails{{.OnCluster}}
(
    tenant     LowCardinality(String),
    trail      String,
    type       LowCardinality(String),
    info       String,
    reference  String,
    created_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC'),
    version    UInt64,
    deleted    UInt8
)
ENGINE = {{engine "ReplacingMergeTree" "custom_trails" "version" "deleted"}}
ORDER BY (tenant, trail);

CREATE TABLE IF NOT EXISTS {{.DB}}.whitelist{{.OnCluster}}
(
    tenant     LowCardinality(String),
    entry      String,
    comment    String,
    created_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC'),
    version    UInt64,
    deleted    UInt8
)
ENGINE = {{engine "ReplacingMergeTree" "whitelist" "version" "deleted"}}
ORDER BY (tenant, entry);

CREATE TABLE IF NOT EXISTS {{.DB}}.triage{{.OnCluster}}
(
    tenant     LowCardinality(String),
    event_id   UInt64,
    event_time DateTime64(6, 'UTC'),
    status     LowCardinality(String),
    assignee   String,
    note       String,
    updated_by String,
    created_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC'),
    version    UInt64,
    deleted    UInt8
)
ENGINE = {{engine "ReplacingMergeTree" "triage" "version" "deleted"}}
ORDER BY (tenant, event_id);

CREATE TABLE IF NOT EXISTS {{.DB}}.webhooks{{.OnCluster}}
(
    tenant       LowCardinality(String),
    id           String,
    url          String,
    secret       String,
    min_severity UInt8,
    enabled      Bool,
    created_at   DateTime64(3, 'UTC'),
    updated_at   DateTime64(3, 'UTC'),
    version      UInt64,
    deleted      UInt8
)
ENGINE = {{engine "ReplacingMergeTree" "webhooks" "version" "deleted"}}
ORDER BY (tenant, id);

-- Append-only record of control-plane changes.
CREATE TABLE IF NOT EXISTS {{.DB}}.audit_log{{.OnCluster}}
(
    tenant LowCardinality(String),
    time   DateTime64(6, 'UTC'),
    actor  String,
    action LowCardinality(String),
    target String,
    detail String
)
ENGINE = {{engine "MergeTree" "audit_log"}}
PARTITION BY toYYYYMM(time)
ORDER BY (tenant, time);
