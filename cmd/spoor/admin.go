package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/spoorsec/spoor/api"
	"github.com/spoorsec/spoor/auth/password"
	"github.com/spoorsec/spoor/auth/token"
	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

const adminUsage = `usage: spoor admin <command> [flags] [--data-dir DIR | --dsn DSN]

Works on the store directly (the embedded engine's data directory must not
be in use by a running collector: use the API then).

commands:
  tenant create --id ID --name NAME [--retention-days N]
  tenant list
  sensor enroll --tenant ID --name NAME [--id ID] [--json]
                print the new sensor's token and UDP key (shown only once)
  user create --tenant ID --username NAME --role ROLE --password-stdin
                ROLE: tenant-admin, analyst or viewer (mssp-admin in the operator
                tenant); the password (12+ characters) is read from standard input
  sensor list --tenant ID
  sensor revoke --tenant ID --id SENSOR
  events export --tenant ID [--from TIME] [--to TIME]
                print stored events as JSON lines
`

func runAdmin(args []string) error {
	if len(args) < 2 {
		fmt.Fprint(os.Stderr, adminUsage)
		if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return nil
		}
		return errUsage
	}
	cmd := args[0] + " " + args[1]
	fs := pflag.NewFlagSet("admin "+cmd, pflag.ContinueOnError)
	fs.String("config", "", "YAML configuration file")
	addStoreFlags(fs)
	var run func(ctx context.Context, st *store.Store, fs *pflag.FlagSet) error
	switch cmd {
	case "tenant create":
		fs.String("id", "", "tenant ID: 1-64 of a-z 0-9 - _")
		fs.String("name", "", "display name")
		fs.Uint16("retention-days", store.DefaultRetentionDays, "days events are kept")
		run = adminTenantCreate
	case "tenant list":
		run = adminTenantList
	case "sensor enroll":
		fs.String("tenant", "", "tenant ID")
		fs.String("name", "", "sensor name")
		fs.String("id", "", "sensor ID (default: generated)")
		fs.Bool("json", false, "print the credentials as one JSON object")
		run = adminSensorEnroll
	case "sensor list":
		fs.String("tenant", "", "tenant ID")
		run = adminSensorList
	case "user create":
		fs.String("tenant", "", "tenant ID")
		fs.String("username", "", "user name: 1-64 of A-Z a-z 0-9 . _ @ -")
		fs.String("role", "analyst", "role: tenant-admin, analyst, viewer (mssp-admin: operator tenant only)")
		fs.Bool("password-stdin", false, "read the password from standard input (required: never on the command line)")
		fs.String("operator-tenant", "mssp", "the MSSP's own tenant, the only one with mssp-admin users")
		run = adminUserCreate
	case "sensor revoke":
		fs.String("tenant", "", "tenant ID")
		fs.String("id", "", "sensor ID")
		run = adminSensorRevoke
	case "events export":
		fs.String("tenant", "", "tenant ID")
		fs.String("from", "", "first event time (RFC 3339 or YYYY-MM-DD; default: the earliest)")
		fs.String("to", "", "end of the range, exclusive (default: tomorrow)")
		run = adminEventsExport
	default:
		fmt.Fprint(os.Stderr, adminUsage)
		return fmt.Errorf("%w: unknown admin command %q", errUsage, cmd)
	}
	if err := fs.Parse(args[2:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	v, err := newViper(fs, storeFlags)
	if err != nil {
		return err
	}
	st, err := openStore(v, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := ensureMigrated(ctx, st.Store); err != nil {
		return err
	}
	return run(ctx, st.Store, fs)
}

// ensureMigrated applies pending migrations, so admin commands work on a
// fresh data directory before the collector's first start.
func ensureMigrated(ctx context.Context, st *store.Store) error {
	states, err := st.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	for _, m := range states {
		if !m.Applied {
			return st.Migrate(ctx)
		}
	}
	return nil
}

// tenantFlag reads and validates --tenant.
func tenantFlag(fs *pflag.FlagSet, name string) (tenant.ID, error) {
	s, _ := fs.GetString(name)
	if s == "" {
		return "", fmt.Errorf("%w: --%s is required", errUsage, name)
	}
	t, err := tenant.New(s)
	if err != nil {
		return "", fmt.Errorf("%w: --%s: %v", errUsage, name, err)
	}
	return t, nil
}

func adminTenantCreate(ctx context.Context, st *store.Store, fs *pflag.FlagSet) error {
	t, err := tenantFlag(fs, "id")
	if err != nil {
		return err
	}
	name, _ := fs.GetString("name")
	days, _ := fs.GetUint16("retention-days")
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("%w: --name is required", errUsage)
	}
	if _, err := st.Tenant(ctx, t); err == nil {
		return fmt.Errorf("tenant %s exists already", t)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err := st.PutTenant(ctx, store.Tenant{ID: t, Name: name, RetentionDays: days}); err != nil {
		return err
	}
	fmt.Printf("tenant %s created\n", t)
	return nil
}

func adminTenantList(ctx context.Context, st *store.Store, _ *pflag.FlagSet) error {
	list, err := st.Tenants(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tRETENTION_DAYS\tCREATED")
	for _, t := range list {
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\n", t.ID, t.Name, t.RetentionDays, t.CreatedAt.UTC().Format(time.RFC3339))
	}
	return w.Flush()
}

// enrollment is what `sensor enroll` prints: the secrets exist nowhere
// else (the store keeps the token's hash only).
type enrollment struct {
	Tenant   tenant.ID `json:"tenant"`
	SensorID string    `json:"sensor_id"`
	Name     string    `json:"name"`
	Token    string    `json:"token"`
	UDPKeyID string    `json:"udp_key_id"`
	UDPKey   string    `json:"udp_key"`
}

func adminSensorEnroll(ctx context.Context, st *store.Store, fs *pflag.FlagSet) error {
	t, err := tenantFlag(fs, "tenant")
	if err != nil {
		return err
	}
	name, _ := fs.GetString("name")
	id, _ := fs.GetString("id")
	asJSON, _ := fs.GetBool("json")
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("%w: --name is required", errUsage)
	}
	if _, err := st.Tenant(ctx, t); err != nil {
		return fmt.Errorf("tenant %s: %w", t, err)
	}
	if id == "" {
		if id, err = token.NewID("s"); err != nil {
			return err
		}
	} else if _, err := st.Sensor(ctx, t, id); err == nil {
		return fmt.Errorf("sensor %s exists already in tenant %s", id, t)
	}
	tok, err := token.New(token.Sensor)
	if err != nil {
		return err
	}
	keyID, key, err := token.NewUDPKey()
	if err != nil {
		return err
	}
	if err := st.PutSensor(ctx, t, store.Sensor{ID: id, Name: name, TokenHash: token.Hash(tok), UDPKeyID: keyID, UDPKey: key}); err != nil {
		return err
	}
	e := enrollment{Tenant: t, SensorID: id, Name: name, Token: tok, UDPKeyID: keyID, UDPKey: key}
	if asJSON {
		return json.NewEncoder(os.Stdout).Encode(e)
	}
	fmt.Printf("tenant: %s\nsensor_id: %s\nname: %s\ntoken: %s\nudp_key_id: %s\nudp_key: %s\n",
		e.Tenant, e.SensorID, e.Name, e.Token, e.UDPKeyID, e.UDPKey)
	fmt.Fprintln(os.Stderr, "spoor: keep the token and UDP key now: they are not shown again")
	return nil
}

func adminUserCreate(ctx context.Context, st *store.Store, fs *pflag.FlagSet) error {
	t, err := tenantFlag(fs, "tenant")
	if err != nil {
		return err
	}
	name, _ := fs.GetString("username")
	roleName, _ := fs.GetString("role")
	op, _ := fs.GetString("operator-tenant")
	if fromStdin, _ := fs.GetBool("password-stdin"); !fromStdin {
		return fmt.Errorf("%w: --password-stdin is required (the password is read from standard input)", errUsage)
	}
	if !api.ValidUsername(name) {
		return fmt.Errorf("%w: --username must be 1 to 64 characters of A-Z a-z 0-9 . _ @ -", errUsage)
	}
	role, err := api.ParseRole(roleName)
	if err != nil {
		return fmt.Errorf("%w: --role: %v", errUsage, err)
	}
	if role == api.RoleMSSPAdmin && string(t) != op {
		return fmt.Errorf("%w: role mssp-admin exists only in the operator tenant %q", errUsage, op)
	}
	line, err := bufio.NewReader(io.LimitReader(os.Stdin, 1025)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("cannot read the password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if len(pw) > 1024 {
		return fmt.Errorf("%w: password too long", errUsage)
	}
	hash, err := password.Hash(pw, password.Default)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if _, err := st.Tenant(ctx, t); err != nil {
		return fmt.Errorf("tenant %s: %w", t, err)
	}
	if _, err := st.User(ctx, t, name); err == nil {
		return fmt.Errorf("user %s exists already in tenant %s", name, t)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err := st.PutUser(ctx, t, store.User{Name: name, PasswordHash: hash, Role: string(role)}); err != nil {
		return err
	}
	fmt.Printf("user %s (%s) created in tenant %s\n", name, role, t)
	return nil
}

func adminSensorList(ctx context.Context, st *store.Store, fs *pflag.FlagSet) error {
	t, err := tenantFlag(fs, "tenant")
	if err != nil {
		return err
	}
	list, err := st.Sensors(ctx, t)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tUDP_KEY_ID\tREVOKED\tLAST_SEEN")
	for _, s := range list {
		seen := "-"
		if !s.LastSeen.IsZero() {
			seen = s.LastSeen.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%v\t%s\n", s.ID, s.Name, s.UDPKeyID, s.Revoked, seen)
	}
	return w.Flush()
}

func adminSensorRevoke(ctx context.Context, st *store.Store, fs *pflag.FlagSet) error {
	t, err := tenantFlag(fs, "tenant")
	if err != nil {
		return err
	}
	id, _ := fs.GetString("id")
	s, err := st.Sensor(ctx, t, id)
	if err != nil {
		return fmt.Errorf("sensor %q of tenant %s: %w", id, t, err)
	}
	s.Revoked = true
	if err := st.PutSensor(ctx, t, s); err != nil {
		return err
	}
	fmt.Printf("sensor %s of tenant %s revoked\n", id, t)
	return nil
}

// exportedEvent is one line of `events export`.
type exportedEvent struct {
	Time      time.Time `json:"time"`
	ID        uint64    `json:"id"`
	Sensor    string    `json:"sensor"`
	SrcIP     string    `json:"src_ip"`
	SrcPort   string    `json:"src_port"`
	DstIP     string    `json:"dst_ip"`
	DstPort   string    `json:"dst_port"`
	Proto     string    `json:"proto"`
	Type      string    `json:"type"`
	Trail     string    `json:"trail"`
	Info      string    `json:"info"`
	Reference string    `json:"reference"`
	Severity  string    `json:"severity"`
	Count     int       `json:"count"`
	Context   any       `json:"context,omitempty"`
	SensorID  string    `json:"sensor_id"`
	BatchID   string    `json:"batch_id"`
	Ingested  time.Time `json:"ingest_time"`
}

func parseTimeFlag(fs *pflag.FlagSet, name string, def time.Time) (time.Time, error) {
	s, _ := fs.GetString(name)
	if s == "" {
		return def, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: --%s %q: want RFC 3339 or YYYY-MM-DD", errUsage, name, s)
}

func adminEventsExport(ctx context.Context, st *store.Store, fs *pflag.FlagSet) error {
	t, err := tenantFlag(fs, "tenant")
	if err != nil {
		return err
	}
	from, err := parseTimeFlag(fs, "from", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return err
	}
	to, err := parseTimeFlag(fs, "to", time.Now().UTC().Add(48*time.Hour).Truncate(24*time.Hour))
	if err != nil {
		return err
	}
	days, err := st.CountsPerDay(ctx, t, from, to)
	if err != nil {
		return err
	}
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	enc := json.NewEncoder(out)
	for _, d := range days {
		var cur store.Cursor
		for {
			page, err := st.DayEvents(ctx, t, d.Day, cur, 10_000)
			if err != nil {
				return err
			}
			for _, e := range page.Events {
				if e.Time.Before(from) || !e.Time.Before(to) {
					continue
				}
				x := exportedEvent{Time: e.Time, ID: e.ID, Sensor: e.Sensor, SrcIP: e.SrcIP, SrcPort: e.SrcPort, DstIP: e.DstIP,
					DstPort: e.DstPort, Proto: e.Proto, Type: string(e.Type), Trail: e.Trail, Info: e.Info, Reference: e.Reference,
					Severity: e.Severity.String(), Count: e.Count, SensorID: e.SensorID, BatchID: e.BatchID, Ingested: e.IngestTime}
				if e.Context != (store.StoredEvent{}).Context {
					x.Context = e.Context
				}
				if err := enc.Encode(x); err != nil {
					return err
				}
			}
			if page.Done {
				break
			}
			cur = page.Next
		}
	}
	return out.Flush()
}
