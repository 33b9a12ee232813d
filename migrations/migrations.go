// Package migrations holds Spoor's versioned ClickHouse schema, embedded in
// the binary, and renders it for a single node or a cluster.
//
// Each file NNNN_name.sql is one migration, applied in version order. A file
// is a text/template; its statements end with a semicolon at the end of a
// line. Every statement must be idempotent (IF NOT EXISTS, ADD COLUMN IF
// NOT EXISTS, …): a migration interrupted half-way is simply applied again,
// and two collectors starting at once may both apply it.
//
// Template data is Data; besides its fields, templates may call
//
//	{{engine "ReplacingMergeTree" "table" "version" "deleted"}}
//	{{shardedEngine "MergeTree" "table"}}
//	{{quote "text"}}
//
// engine renders a table engine whose data every node holds (control
// plane): the plain engine on one node, Replicated* with a cluster-wide
// ZooKeeper path in a cluster. shardedEngine renders an engine whose data
// is split across shards (events): the ZooKeeper path includes {shard}.
// Both use the server's {shard} and {replica} macros.
package migrations

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
)

//go:embed *.sql
var files embed.FS

// Config selects how the schema is rendered.
type Config struct {
	// Database is the ClickHouse database holding Spoor's tables.
	Database string
	// Cluster, when set, is the name of the ClickHouse cluster (from the
	// server's remote_servers) to create the schema on: DDL gets ON CLUSTER,
	// tables are Replicated*, and events is a Distributed table over the
	// shards' events_local.
	Cluster string
}

// Data is what templates see.
type Data struct {
	DB          string // quoted database name
	Database    string // database name, unquoted
	Cluster     string // cluster name, "" on a single node
	OnCluster   string // " ON CLUSTER `name`" or ""
	EventsTable string // the MergeTree table holding events on this node
	DedupWindow string // table settings that enable insert deduplication
}

// Migration is one rendered migration.
type Migration struct {
	Version    int
	Name       string
	Statements []string
	// Checksum is the SHA-256 of the rendered statements; a changed checksum
	// for an applied version means the file was edited after it ran.
	Checksum string
}

var (
	identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	fileRe  = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)
	stmtEnd = regexp.MustCompile(`;[ \t]*(\r?\n|$)`)
)

// Validate checks that the configuration can be rendered safely: names are
// plain identifiers, since they are written into DDL.
func (c Config) Validate() error {
	if !identRe.MatchString(c.Database) {
		return fmt.Errorf("migrations: database name %q is not a plain identifier", c.Database)
	}
	if c.Cluster != "" && !identRe.MatchString(c.Cluster) {
		return fmt.Errorf("migrations: cluster name %q is not a plain identifier", c.Cluster)
	}
	return nil
}

// EventsTable is the name of the table holding events on each node:
// "events" on a single node, "events_local" under the Distributed "events"
// in a cluster. Queries always read "events".
func (c Config) EventsTable() string {
	if c.Cluster != "" {
		return "events_local"
	}
	return "events"
}

func (c Config) data() Data {
	d := Data{
		DB:          "`" + c.Database + "`",
		Database:    c.Database,
		Cluster:     c.Cluster,
		EventsTable: c.EventsTable(),
		DedupWindow: "non_replicated_deduplication_window = 10000",
	}
	if c.Cluster != "" {
		d.OnCluster = " ON CLUSTER `" + c.Cluster + "`"
		// Seven days of retried batches, as long as a sensor's spool may
		// hold them back.
		d.DedupWindow = "replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800"
	}
	return d
}

// engine renders a table engine: kind(args) on one node; in a cluster,
// Replicated kind with a ZooKeeper path shared by all nodes, or by the
// replicas of a shard when sharded.
func (c Config) engine(sharded bool, kind, table string, args ...string) (string, error) {
	if !identRe.MatchString(kind) || !identRe.MatchString(table) {
		return "", fmt.Errorf("bad engine %q or table %q", kind, table)
	}
	if c.Cluster == "" {
		if len(args) == 0 {
			return kind, nil
		}
		return kind + "(" + strings.Join(args, ", ") + ")", nil
	}
	shard := "all"
	if sharded {
		shard = "{shard}"
	}
	zk := fmt.Sprintf("'/clickhouse/tables/%s/%s/%s'", shard, c.Database, table)
	return "Replicated" + kind + "(" + strings.Join(append([]string{zk, "'{replica}'"}, args...), ", ") + ")", nil
}

func (c Config) funcs() template.FuncMap {
	return template.FuncMap{
		"engine": func(kind, table string, args ...string) (string, error) {
			return c.engine(false, kind, table, args...)
		},
		"shardedEngine": func(kind, table string, args ...string) (string, error) {
			return c.engine(true, kind, table, args...)
		},
		"quote": func(s string) string {
			return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `'`, `\'`) + "'"
		},
	}
}

// All renders every migration, in version order.
func All(c Config) ([]Migration, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	sort.Strings(names)
	var out []Migration
	seen := map[int]string{}
	for _, name := range names {
		m := fileRe.FindStringSubmatch(path.Base(name))
		if m == nil {
			return nil, fmt.Errorf("migrations: file %s is not named NNNN_name.sql", name)
		}
		version, _ := strconv.Atoi(m[1])
		if prev, dup := seen[version]; dup {
			return nil, fmt.Errorf("migrations: version %d used by %s and %s", version, prev, name)
		}
		seen[version] = name
		mig, err := render(c, name)
		if err != nil {
			return nil, err
		}
		mig.Version, mig.Name = version, m[2]
		out = append(out, mig)
	}
	return out, nil
}

func render(c Config, name string) (Migration, error) {
	src, err := files.ReadFile(name)
	if err != nil {
		return Migration{}, fmt.Errorf("migrations: %w", err)
	}
	tmpl, err := template.New(name).Funcs(c.funcs()).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return Migration{}, fmt.Errorf("migrations: cannot parse %s: %w", name, err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, c.data()); err != nil {
		return Migration{}, fmt.Errorf("migrations: cannot render %s: %w", name, err)
	}
	stmts := Split(buf.String())
	sum := sha256.New()
	for _, s := range stmts {
		sum.Write([]byte(s))
		sum.Write([]byte{0})
	}
	return Migration{Statements: stmts, Checksum: hex.EncodeToString(sum.Sum(nil))}, nil
}

// Split cuts rendered SQL into statements at semicolons that end a line,
// dropping comment-only lines and empty statements.
func Split(sql string) []string {
	var out []string
	for _, part := range stmtEnd.Split(sql, -1) {
		var lines []string
		for _, line := range strings.Split(part, "\n") {
			trimmed := strings.TrimSpace(line)
			if trimmed == "" || strings.HasPrefix(trimmed, "--") {
				continue
			}
			lines = append(lines, strings.TrimRight(line, " \t\r"))
		}
		if len(lines) > 0 {
			out = append(out, strings.Join(lines, "\n"))
		}
	}
	return out
}

// MigrationsTable is the DDL of the table recording applied migrations,
// created before any migration runs.
func MigrationsTable(c Config) (string, error) {
	if err := c.Validate(); err != nil {
		return "", err
	}
	d := c.data()
	engine, err := c.engine(false, "ReplacingMergeTree", "schema_migrations", "applied_at")
	if err != nil {
		return "", err
	}
	return "CREATE TABLE IF NOT EXISTS " + d.DB + ".schema_migrations" + d.OnCluster + ` (
    version    UInt32,
    name       String,
    checksum   String,
    applied_at DateTime64(3, 'UTC')
)
ENGINE = ` + engine + `
ORDER BY version`, nil
}

// CreateDatabase is the DDL creating the database, run before the
// migrations table can exist.
func CreateDatabase(c Config) (string, error) {
	if err := c.Validate(); err != nil {
		return "", err
	}
	d := c.data()
	return "CREATE DATABASE IF NOT EXISTS " + d.DB + d.OnCluster, nil
}
