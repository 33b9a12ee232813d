package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDemoDay(t *testing.T) {
	now := time.Date(2026, 11, 27, 14, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		in       string
		from, to time.Time
		bad      bool
	}{
		{in: "today", from: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), to: now},
		{in: "yesterday", from: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)},
		{in: "2026-11-20", from: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)},
		{in: "2026-11-27", from: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), to: now},
		{in: "2026-11-28", bad: true},
		{in: "27/11/2026", bad: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			from, to, err := demoDay(tc.in, now)
			if tc.bad {
				if err == nil {
					t.Fatalf("got %s - %s, want an error", from, to)
				}
				return
			}
			if err != nil || !from.Equal(tc.from) || !to.Equal(tc.to) {
				t.Errorf("got %s - %s (%v), want %s - %s", from, to, err, tc.from, tc.to)
			}
		})
	}
}

// dayLog reads the one day log a sensor wrote into dir.
func dayLog(t *testing.T, dir, day string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, day+".log"))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// TestDemoGenPipe runs the documented pipe: generated traffic for a past
// day, written as pcap to standard output, read by a sensor from standard
// input until the end of the stream.
func TestDemoGenPipe(t *testing.T) {
	trailsCSV := testdata(t, "pcaps", "maltrail", "trails.csv")
	logDir := t.TempDir()
	gen := exec.Command(spoorBin, "demo", "gen", "--trails", trailsCSV, "--day", "2026-11-26", "--count", "40000", "--seed", "3", "-w", "-")
	sensor := exec.Command(spoorBin, "sensor", "-r", "-", "--trails", trailsCSV, "--log-dir", logDir, "--name", "pipe-test",
		"--ua-file", testdata(t, "maltrail", "data", "ua.txt"))
	sensor.Env = append(os.Environ(), "TZ=UTC")
	pipe, err := gen.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	sensor.Stdin = pipe
	var genErr, sensorOut strings.Builder
	gen.Stderr = &genErr
	sensor.Stdout, sensor.Stderr = &sensorOut, &sensorOut
	if err := gen.Start(); err != nil {
		t.Fatal(err)
	}
	if err := sensor.Run(); err != nil {
		t.Fatalf("spoor sensor -r -: %v\n%s", err, sensorOut.String())
	}
	if err := gen.Wait(); err != nil {
		t.Fatalf("spoor demo gen: %v\n%s", err, genErr.String())
	}
	if !strings.Contains(sensorOut.String(), "packets=40000 ") {
		t.Errorf("sensor did not read 40000 packets:\n%s", sensorOut.String())
	}
	log := dayLog(t, logDir, "2026-11-26")
	for _, want := range []string{"potential port scanning", "user agent (suspicious)", "no such domain (suspicious)", "(static)"} {
		if !strings.Contains(log, want) {
			t.Errorf("day log has no %q event", want)
		}
	}
}

// TestDemoRun runs the in-process generator and sensor for a fixed number
// of packets, writing today's day log.
func TestDemoRun(t *testing.T) {
	logDir := t.TempDir()
	out, err := spoor(t, "demo", "run", "--trails", testdata(t, "pcaps", "maltrail", "trails.csv"), "--count", "20000",
		"--log-dir", logDir, "--ua-file", testdata(t, "maltrail", "data", "ua.txt"))
	if err != nil {
		t.Fatalf("spoor demo run: %v\n%s", err, out)
	}
	log := dayLog(t, logDir, time.Now().UTC().Format("2006-01-02"))
	if !strings.Contains(log, " demo-sensor ") || !strings.Contains(log, "(heuristic)") {
		t.Errorf("today's log has no heuristic event from demo-sensor:\n%.2000s", log)
	}
}

func TestDemoBadInput(t *testing.T) {
	trailsCSV := testdata(t, "pcaps", "maltrail", "trails.csv")
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"no output", []string{"demo", "gen", "--count", "10"}},
		{"no count or rate", []string{"demo", "gen", "-w", "-"}},
		{"day in the future", []string{"demo", "gen", "--day", "2999-01-01", "--count", "10", "-w", "-"}},
		{"day with rate", []string{"demo", "gen", "--day", "yesterday", "--count", "10", "--rate", "5", "-w", "-"}},
		{"unknown command", []string{"demo", "fly"}},
		{"run with read", []string{"demo", "run", "--trails", trailsCSV, "--count", "10", "--console", "-r", "x.pcap"}},
		{"run without rate or count", []string{"demo", "run", "--trails", trailsCSV, "--console"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := spoor(t, tc.args...)
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 2 {
				t.Errorf("spoor %v: got %v, want exit status 2\n%s", tc.args, err, out)
			}
		})
	}
	t.Run("unreadable trails", func(t *testing.T) {
		out, err := spoor(t, "demo", "gen", "--trails", filepath.Join(t.TempDir(), "none.csv"), "--count", "10", "-w", "-")
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("got %v, want exit status 1\n%s", err, out)
		}
	})
}
