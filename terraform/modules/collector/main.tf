# Renders what a host needs to run a Spoor collector under systemd: the
# configuration file, the unit (the same as deploy/systemd's), an
# environment file for secrets, and cloud-init user data that installs it
# all. Cloud-agnostic: feed cloud_init to any VM's user data.

locals {
  embedded = var.clickhouse_dsn == null
  own_tls  = var.tls_certificate_pem != null

  tls_cert_path = "${var.config_dir}/tls/collector.crt"
  tls_key_path  = "${var.config_dir}/tls/collector.key"
  config_path   = "${var.config_dir}/spoor.yaml"
  env_path      = "/etc/default/spoor-collector"

  # Without a certificate of its own the collector keeps a self-signed one
  # here (collector.tls_dir's default, DATA_DIR/tls).
  self_signed_cert_path = "${var.data_dir}/tls/collector.crt"
  ca_certificate_path   = local.own_tls ? local.tls_cert_path : local.self_signed_cert_path

  listen = "${var.listen_address}:${var.https_port}"
  # The collector takes UDP on the HTTPS port unless told otherwise.
  udp_listen = var.udp_port == null ? "off" : (var.udp_port == var.https_port ? null : "${var.listen_address}:${var.udp_port}")

  signing_key_id = length(var.signing_keys) == 0 ? null : coalesce(var.signing_key_id, reverse(sort(keys(var.signing_keys)))[0])

  # spoor.yaml: only the keys this module decides (spoor.example.yaml has
  # the rest, with their defaults).
  config = {
    collector = merge(
      {
        listen    = local.listen
        log_level = var.log_level
      },
      local.udp_listen == null ? {} : { udp_listen = local.udp_listen },
      local.own_tls ? { tls_cert = local.tls_cert_path, tls_key = local.tls_key_path } : {},
      length(var.trusted_proxies) == 0 ? {} : { trusted_proxies = var.trusted_proxies },
      var.rate_limit == 0 ? {} : { rate_limit = var.rate_limit },
    )
    store = local.embedded ? { data_dir = var.data_dir } : merge(
      { dsn = var.clickhouse_dsn },
      var.clickhouse_cluster == null ? {} : { cluster = var.clickhouse_cluster },
    )
    api = merge(
      { operator_tenant = var.operator_tenant },
      # One conditional per key: `{}` unifies with a one-key object only.
      length(var.signing_keys) == 0 ? {} : { signing_keys = var.signing_keys },
      length(var.signing_keys) == 0 ? {} : { signing_key_id = local.signing_key_id },
    )
  }
  config_yaml = "# Rendered by Spoor's collector module; see spoor.example.yaml for every key.\n${yamlencode(local.config)}"

  # Secrets stay out of spoor.yaml's group-readable file.
  environment_file = var.admin_password == null ? "" : "SPOOR_ADMIN_PASSWORD='${replace(var.admin_password, "'", "'\\''")}'\n"

  systemd_unit = file("${path.module}/templates/spoor-collector.service")
  # The unit reads /etc/spoor/spoor.yaml; another config_dir gets a drop-in.
  systemd_dropin = var.config_dir == "/etc/spoor" ? null : join("\n", [
    "# Rendered by Spoor's collector module: the configuration lives in ${var.config_dir}.",
    "[Service]",
    "ExecStart=",
    "ExecStart=/usr/local/bin/spoor collector --config ${local.config_path} $SPOOR_COLLECTOR_OPTS",
    "",
  ])

  firewall_rules = concat(
    [{ protocol = "tcp", port = var.https_port, description = "HTTPS: sensor ingest, API, dashboard" }],
    var.udp_port == null ? [] : [{ protocol = "udp", port = var.udp_port, description = "UDP ingest (signed datagrams)" }],
  )

  # Downloads checked against their digest before they are installed.
  downloads = concat(
    var.spoor_binary_url == null ? [] : [{ url = var.spoor_binary_url, sha256 = var.spoor_binary_sha256, dest = "/usr/local/bin/spoor", mode = "0755" }],
    var.chdb_library_url == null || !local.embedded ? [] : [{ url = var.chdb_library_url, sha256 = var.chdb_library_sha256, dest = "/usr/local/lib/libchdb.so", mode = "0644" }],
  )

  write_files = concat(
    [
      { path = "/etc/sysusers.d/spoor.conf", permissions = "0644", content = file("${path.module}/templates/spoor.sysusers.conf") },
      { path = "/etc/tmpfiles.d/spoor.conf", permissions = "0644", content = file("${path.module}/templates/spoor.tmpfiles.conf") },
      { path = "/etc/systemd/system/spoor-collector.service", permissions = "0644", content = local.systemd_unit },
    ],
    local.systemd_dropin == null ? [] : [
      { path = "/etc/systemd/system/spoor-collector.service.d/config.conf", permissions = "0644", content = local.systemd_dropin },
    ],
    [
      { path = local.config_path, permissions = "0640", content = local.config_yaml },
      { path = local.env_path, permissions = "0600", content = local.environment_file },
    ],
    local.own_tls ? [
      { path = local.tls_cert_path, permissions = "0644", content = var.tls_certificate_pem },
      { path = local.tls_key_path, permissions = "0640", content = var.tls_private_key_pem },
    ] : [],
  )

  # The data volume may be attached after boot (a separate cloud volume
  # re-attached to a replaced instance): wait for it, format it only if
  # blank, then mount it before the collector starts.
  mount_data = var.data_device == null ? [] : [["sh", "-c", join("; ", [
    "set -e",
    "for i in $(seq 120); do [ -b \"$1\" ] && break; sleep 5; done",
    "[ -b \"$1\" ] || { echo \"spoor: data device $1 never appeared\" >&2; exit 1; }",
    "blkid \"$1\" >/dev/null || mkfs.ext4 -q -L spoor-data \"$1\"",
    "grep -q ' /var/lib/spoor ' /etc/fstab || echo \"LABEL=spoor-data /var/lib/spoor ext4 defaults,nofail 0 2\" >> /etc/fstab",
    "mkdir -p /var/lib/spoor",
    "mountpoint -q /var/lib/spoor || mount /var/lib/spoor",
  ]), "mount-data", var.data_device]]

  runcmd = concat(
    [
      ["systemd-sysusers", "/etc/sysusers.d/spoor.conf"],
    ],
    local.mount_data,
    [
      ["systemd-tmpfiles", "--create", "/etc/tmpfiles.d/spoor.conf"],
    ],
    [for d in local.downloads : ["sh", "-c", "set -e; t=$(mktemp); curl -fsSL --retry 5 -o \"$t\" \"$1\"; echo \"$2  $t\" | sha256sum -c -; install -m ${d.mode} \"$t\" ${d.dest}; rm -f \"$t\"", "download", d.url, d.sha256]],
    [
      # The files above were written before the spoor group existed.
      concat(["chgrp", "spoor", local.config_path], local.own_tls ? [local.tls_key_path] : []),
      ["chown", "-R", "spoor:spoor", "/var/lib/spoor"],
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "--now", "spoor-collector.service"],
    ],
  )

  cloud_init_config = { write_files = local.write_files, runcmd = local.runcmd }
  cloud_init        = "#cloud-config\n${yamlencode(local.cloud_init_config)}"
}
