// Command motcua runs the one-stop-shop backend.
//
//	motcua [serve] [--demo]   run the HTTP service (migrates first)
//	motcua migrate            apply database migrations and exit
//	motcua user create --username U --role R [--unit CODE] [--name N]
//	                          create a staff user; the password is read from
//	                          stdin (or prompted for on a terminal)
//	motcua seed demo          fill the database with a small demo province
//
// Settings come from MOTCUA_* environment variables (README, SPEC §1).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // due times depend on the local calendar: carry the zone data
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "motcua:", err)
		os.Exit(1)
	}
}
