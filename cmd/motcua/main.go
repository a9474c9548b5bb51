// Command motcua runs the one-stop-shop backend.
//
//	motcua [serve] [--demo]   run the HTTP service (migrates first)
//	motcua migrate            apply database migrations and exit
//	motcua user create --username U --role R [--unit CODE] [--name N]
//	                          create a staff user; the password is read from
//	                          stdin (or prompted for on a terminal)
//	motcua seed demo [--force]
//	                          fill the database with a small demo province;
//	                          refused on a database with other data unless --force
//	motcua import FILE --kind K [--progress]
//	                          import NDJSON history; the JSON answer on stdout
//	motcua help [COMMAND]     usage (also --help, -h, COMMAND --help); opens
//	                          no database
//
// Results go to stdout, logs to stderr. Settings come from MOTCUA_*
// environment variables (see the README).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	_ "time/tzdata" // due times depend on the local calendar: carry the zone data
)

// The garbage collector's settings unless GOGC and GOMEMLIMIT are set. The
// service's live heap is a few megabytes, so the default (GOGC=100)
// collects dozens of times a second under load; 400 lets the heap grow to
// five times what is live and cuts most of that work (docs/performance.md),
// and the soft limit makes the collector work harder again before the
// process nears its memory budget (150 MB of RSS).
const (
	gcPercent   = 400
	memoryLimit = 100 << 20
)

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "motcua:", err)
		os.Exit(1)
	}
}
