package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/motcua/motcua/cmd/motcua/app"
	"github.com/motcua/motcua/cmd/motcua/demo"
	"github.com/motcua/motcua/config"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/repository"
)

const usage = `usage:
  motcua [serve] [--demo]     run the HTTP service (migrates first)
  motcua migrate              apply database migrations and exit
  motcua user create --username U --role admin|clerk|officer|leader|viewer [--unit CODE] [--name NAME]
                              create a staff user; password from stdin
  motcua seed demo [--force]  fill the database with a small demo province
                              (refused on a database with other data unless --force)
  motcua import FILE --kind dossiers|feedback|procedures [--progress] [--resume]
                              import NDJSON history (FILE - reads stdin); JSON answer on stdout;
                              --resume continues an interrupted import of FILE
  motcua rotate-key [--batch N]
                              reseal personal data under MOTCUA_DATA_KEY_ID
  motcua webhook-receive --secret S [--addr A]
                              print the deliveries of a webhook whose signature verifies
  motcua help [COMMAND]       this text, or a command's (also COMMAND --help)`

// run is main without process globals, so tests can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	// Help needs neither the configuration nor a database.
	if text, ok := helpRequest(args); ok {
		return printHelp(stdout, text)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	logOpts := &slog.HandlerOptions{Level: cfg.LogLevel}
	// Logs go to stderr, so stdout carries only a command's result.
	log := slog.New(slog.NewJSONHandler(stderr, logOpts))
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(stderr)
		withDemo := fs.Bool("demo", false, "seed the demo province before serving")
		if err := fs.Parse(args); err != nil {
			return err
		}
		// The demo is a sandbox on the reader's machine: its webhooks may
		// reach a receiver on loopback unless the setting says otherwise.
		if *withDemo && strings.TrimSpace(getenv("MOTCUA_WEBHOOK_ALLOW_PRIVATE")) == "" {
			cfg.Notifications.WebhookAllowPrivate = true
		}
		// The service writes its log (and the demo seed's lines) through a
		// buffer: one write every flushEvery, not one per request.
		out := newLogBuffer(stderr, 64<<10, flushEvery)
		defer out.Close() //nolint:errcheck // nowhere left to report it
		log = slog.New(flushOnWarn{Handler: slog.NewJSONHandler(out, logOpts), buf: out})
		return serve(ctx, cfg, log, *withDemo, out)
	case "migrate":
		db, err := app.OpenDatabase(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer repository.Close(db) //nolint:errcheck
		log.Info("migrations applied", "driver", cfg.Driver())
		return nil
	case "user":
		if len(args) == 0 || args[0] != "create" {
			return errors.New(usage)
		}
		return createUser(ctx, cfg, log, args[1:], stdin, stdout, stderr)
	case "seed":
		return seedCommand(ctx, cfg, log, args, stdout, stderr)
	case "import":
		return importCommand(ctx, cfg, log, args, stdin, stdout, stderr)
	case "rotate-key":
		return rotateKeyCommand(ctx, cfg, log, args, stdout, stderr)
	case "webhook-receive":
		return receiveCommand(ctx, log, args, stdout, stderr)
	default:
		return fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
}

// open wires the app over the configured database; demo lets it run
// without MOTCUA_DATA_KEY (serve --demo, seed demo).
func open(ctx context.Context, cfg config.Config, log *slog.Logger, demo bool) (*app.App, func(), error) {
	db, err := app.OpenDatabase(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	a, err := app.New(ctx, cfg, db, log, app.Options{Demo: demo})
	if err != nil {
		_ = repository.Close(db)
		return nil, nil, err
	}
	return a, func() {
		// The audit writer flushes what it holds before the database closes.
		ctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		if err := a.Close(ctx); err != nil {
			log.Error("audit entries not flushed at shutdown", "err", err)
		}
		cancel()
		_ = repository.Close(db)
	}, nil
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger, withDemo bool, stdout io.Writer) error {
	a, closeDB, err := open(ctx, cfg, log, withDemo)
	if err != nil {
		return err
	}
	defer closeDB()
	if created, err := a.Users.Bootstrap(ctx, string(cfg.AdminPassword)); err != nil {
		return fmt.Errorf("bootstrap admin: %w", err)
	} else if created {
		log.Info("created the bootstrap admin user", "username", "admin")
	}
	if withDemo {
		if err := demo.Seed(ctx, a, stdout); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}
	// The queue works the events committed so far, those of before a
	// restart included; closeDB stops it before the database closes.
	if err := a.StartQueue(ctx); err != nil {
		return err
	}
	a.StartDVCQG(ctx)
	return listenAndServe(ctx, cfg, log, a)
}

func createUser(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	username := fs.String("username", "", "login name")
	role := fs.String("role", "", "admin, clerk, officer, leader or viewer")
	unit := fs.String("unit", "", "agency code of the user's unit")
	name := fs.String("name", "", "full name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if f, ok := stdin.(*os.File); ok && isTerminal(f) {
		fmt.Fprint(stderr, "Password: ")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	a, closeDB, err := open(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer closeDB()
	u, err := a.Users.Create(ctx, user.Principal{}, true, user.NewUser{Username: *username, Name: *name,
		Role: user.Role(*role), Unit: *unit, Password: password})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "created user %s (%s)\n", u.Username, u.Role)
	return nil
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
