// Command spoor is Spoor's single binary: the sensor today, and the
// collector, API and trail tools as they land, as subcommands.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/pflag"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if err := run(os.Args[1:]); err != nil {
		if !errors.Is(err, pflag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "spoor:", err)
		}
		os.Exit(exitCode(err))
	}
}

const usage = `usage: spoor <command> [flags]

commands:
  sensor    capture or read traffic and detect malicious activity
  trails    update, import and export trail sets (feeds, MISP, STIX)
  collector receive sensors' events over HTTPS and UDP, store them, serve the API
  admin     create tenants, enroll sensors, export events (directly on the store)
  migrate   apply or list storage migrations (up, status)
  bench     measure ingest throughput (bench ingest, bench ship)
  demo      generate realistic traffic with trail indicators (demo gen, demo run)
  version   print the version

Run 'spoor <command> --help' for a command's flags.
`

func run(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "sensor":
		return runSensor(args[1:])
	case "trails":
		return runTrails(args[1:])
	case "collector":
		return runCollector(args[1:])
	case "admin":
		return runAdmin(args[1:])
	case "migrate":
		return runMigrate(args[1:])
	case "bench":
		return runBench(args[1:])
	case "demo":
		return runDemo(args[1:])
	case "version", "--version":
		fmt.Println("spoor", version)
		return nil
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
}

var errUsage = errors.New("usage")

func exitCode(err error) int {
	if errors.Is(err, errUsage) || errors.Is(err, pflag.ErrHelp) {
		return 2
	}
	return 1
}
