package migrations

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// render returns everything a deployment would run, as one text.
func renderAll(t *testing.T, c Config) string {
	t.Helper()
	var b strings.Builder
	db, err := CreateDatabase(c)
	if err != nil {
		t.Fatal(err)
	}
	mt, err := MigrationsTable(c)
	if err != nil {
		t.Fatal(err)
	}
	b.WriteString(db + ";\n\n" + mt + ";\n")
	ms, err := All(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		b.WriteString("\n-- migration " + m.Name + "\n")
		for _, s := range m.Statements {
			b.WriteString("\n" + s + ";\n")
		}
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"single", Config{Database: "spoor"}},
		{"cluster", Config{Database: "spoor", Cluster: "spoor_cluster"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := renderAll(t, tt.cfg)
			path := filepath.Join("testdata", tt.name+".sql.golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./migrations -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("rendered SQL differs from %s (go test ./migrations -update rewrites it); got:\n%s", path, got)
			}
		})
	}
}

func TestClusterRendering(t *testing.T) {
	got := renderAll(t, Config{Database: "spoor", Cluster: "c1"})
	for _, want := range []string{
		"CREATE DATABASE IF NOT EXISTS `spoor` ON CLUSTER `c1`",
		"CREATE TABLE IF NOT EXISTS `spoor`.events_local ON CLUSTER `c1`",
		"ReplicatedMergeTree('/clickhouse/tables/{shard}/spoor/events_local', '{replica}')",
		"ReplicatedReplacingMergeTree('/clickhouse/tables/all/spoor/tenants', '{replica}', version, deleted)",
		"ENGINE = Distributed('c1', 'spoor', 'events_local', cityHash64(tenant, sensor_id))",
		"replicated_deduplication_window = 10000",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("cluster rendering lacks %q", want)
		}
	}
	for _, bad := range []string{"non_replicated_deduplication_window", "ENGINE = MergeTree", "ENGINE = ReplacingMergeTree"} {
		if strings.Contains(got, bad) {
			t.Errorf("cluster rendering contains %q", bad)
		}
	}
	single := renderAll(t, Config{Database: "spoor"})
	for _, bad := range []string{"ON CLUSTER", "Replicated", "Distributed", "events_local"} {
		if strings.Contains(single, bad) {
			t.Errorf("single-node rendering contains %q", bad)
		}
	}
}

func TestAllVersionsAndSplit(t *testing.T) {
	ms, err := All(Config{Database: "spoor"})
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if m.Version != i+1 {
			t.Errorf("migration %d has version %d, want %d (no gaps)", i, m.Version, i+1)
		}
		if len(m.Statements) == 0 || len(m.Checksum) != 64 {
			t.Errorf("migration %s: %d statements, checksum %q", m.Name, len(m.Statements), m.Checksum)
		}
		for _, s := range m.Statements {
			if strings.HasSuffix(s, ";") || strings.TrimSpace(s) == "" {
				t.Errorf("migration %s: bad statement %q", m.Name, s)
			}
		}
	}
	got := Split("-- c\nSELECT 1;\n\nSELECT ';'\n  ;  \nSELECT 3")
	want := []string{"SELECT 1", "SELECT ';'", "SELECT 3"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Split = %q, want %q", got, want)
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []Config{{Database: ""}, {Database: "a-b"}, {Database: "x`y"}, {Database: "ok", Cluster: "bad name"}} {
		if _, err := All(c); err == nil {
			t.Errorf("All(%+v) succeeded, want an error", c)
		}
	}
}
