-- Detection events. One row per event (a summarised event counts `count`
-- detections). Tenant first in the sort key; one partition per UTC day;
-- each row carries its tenant's retention so TTL can drop it per tenant.
-- Addresses: src_ip/dst_ip hold the first address of Maltrail's text as
-- IPv6 (IPv4 mapped); *_raw holds the original text only when it is not the
-- plain rendering of that address (lists, X-Forwarded-For chains, odd
-- spellings), so the exact Maltrail column is always recoverable. Ports
-- likewise. *_text are that recovered text for SQL users.

CREATE TABLE IF NOT EXISTS {{.DB}}.{{.EventsTable}}{{.OnCluster}}
(
    tenant          LowCardinality(String),
    time            DateTime64(6, 'UTC') CODEC(Delta, ZSTD(1)),
    id              UInt64,
    sensor          LowCardinality(String),
    src_ip          IPv6,
    src_ip_raw      String,
    src_port        UInt16,
    src_port_raw    String,
    dst_ip          IPv6,
    dst_ip_raw      String,
    dst_port        UInt16,
    dst_port_raw    String,
    proto           LowCardinality(String),
    type            LowCardinality(String),
    trail           String,
    info            LowCardinality(String),
    reference       LowCardinality(String),
    severity        Enum8('low' = 1, 'medium' = 2, 'high' = 3),
    count           UInt32,
    dns_qtype       UInt16,
    dns_rcode       Int8,
    http_method     LowCardinality(String),
    http_host       String,
    http_uri        String,
    http_user_agent String,
    tls_sni         String,
    ja4             LowCardinality(String),
    cert_sha1       String,
    sensor_id       LowCardinality(String),
    batch_id        String,
    ingest_time     DateTime64(3, 'UTC'),
    retention_days  UInt16,
    src_ip_text     String ALIAS multiIf(src_ip_raw != '', src_ip_raw, src_ip = toIPv6('::'), '', replaceRegexpOne(toString(src_ip), '^::ffff:([0-9.]+)$', '\\1')),
    dst_ip_text     String ALIAS multiIf(dst_ip_raw != '', dst_ip_raw, dst_ip = toIPv6('::'), '', replaceRegexpOne(toString(dst_ip), '^::ffff:([0-9.]+)$', '\\1')),
    src_port_text   String ALIAS if(src_port_raw != '' OR src_port = 0, src_port_raw, toString(src_port)),
    dst_port_text   String ALIAS if(dst_port_raw != '' OR dst_port = 0, dst_port_raw, toString(dst_port))
)
ENGINE = {{shardedEngine "MergeTree" .EventsTable}}
PARTITION BY toDate(time)
ORDER BY (tenant, time, id)
TTL toDateTime(time) + toIntervalDay(retention_days)
SETTINGS {{.DedupWindow}};
{{if .Cluster}}
CREATE TABLE IF NOT EXISTS {{.DB}}.events{{.OnCluster}} AS {{.DB}}.{{.EventsTable}}
ENGINE = Distributed({{quote .Cluster}}, {{quote .Database}}, {{quote .EventsTable}}, cityHash64(tenant, sensor_id));
{{end}}
