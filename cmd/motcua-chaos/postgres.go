package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/motcua/motcua/cmd/internal/benchkit"
)

// cluster is the PostgreSQL server the run owns: its own data folder and
// port, durable settings (fsync, synchronous_commit, full_page_writes on),
// stopped in immediate mode (no checkpoint, no flush: what a power cut or
// an OOM kill of the postmaster leaves) and started again, which replays
// the WAL.
type cluster struct {
	bin, dir, port string
	syncOff        bool
	asPG           []string // runuser -u postgres -- when we are root
}

// pgBinDir finds initdb: MOTCUA_TEST_PG_BINDIR, PATH, then Debian's folders.
func pgBinDir() (string, error) {
	if d := os.Getenv("MOTCUA_TEST_PG_BINDIR"); d != "" {
		return d, nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		return "", errors.New("initdb not found: install PostgreSQL's server binaries (Debian: postgresql-15)")
	}
	return filepath.Dir(matches[len(matches)-1]), nil
}

// newCluster initialises a cluster in dir/pg.
func newCluster(ctx context.Context, dir string, syncOff bool) (*cluster, error) {
	bin, err := pgBinDir()
	if err != nil {
		return nil, err
	}
	addr, err := benchkit.FreeAddr()
	if err != nil {
		return nil, err
	}
	c := &cluster{bin: bin, dir: filepath.Join(dir, "pg"), port: addr[len("127.0.0.1:"):], syncOff: syncOff}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 { // PostgreSQL refuses to run as root
		pg, err := user.Lookup("postgres")
		if err != nil {
			return nil, errors.New("running as root needs a postgres user to run the cluster as")
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		for _, d := range []string{dir, c.dir} {
			if err := os.Chown(d, uid, gid); err != nil {
				return nil, err
			}
		}
		c.asPG = []string{"runuser", "-u", "postgres", "--"}
	}
	if out, err := c.run(ctx, "initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	return c, nil
}

func (c *cluster) data() string { return filepath.Join(c.dir, "data") }

// URL is the cluster's database for the server.
func (c *cluster) URL(db string) string {
	return "postgres://postgres@127.0.0.1:" + c.port + "/" + db + "?sslmode=disable"
}

func (c *cluster) run(ctx context.Context, tool string, args ...string) ([]byte, error) {
	argv := append(append([]string{}, c.asPG...), append([]string{filepath.Join(c.bin, tool)}, args...)...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	return cmd.CombinedOutput()
}

// settings are the server's: durable unless syncOff, which makes commits
// asynchronous and the WAL writer lazy, so that an immediate stop loses
// commits the clients saw acknowledged (the run that shows the harness
// can see loss).
func (c *cluster) settings() string {
	s := "-p " + c.port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + c.dir +
		" -c fsync=on -c full_page_writes=on -c max_connections=200"
	if c.syncOff {
		return s + " -c synchronous_commit=off -c wal_writer_delay=10000 -c wal_writer_flush_after=0"
	}
	return s + " -c synchronous_commit=on"
}

// start starts the server and waits until it takes connections (crash
// recovery included).
func (c *cluster) start(ctx context.Context) error {
	out, err := c.run(ctx, "pg_ctl", "-D", c.data(), "-w", "-t", "120", "-l", filepath.Join(c.dir, "server.log"), "-o", c.settings(), "start")
	if err != nil {
		return fmt.Errorf("pg_ctl start: %w\n%s\n%s", err, out, benchkit.Tail(filepath.Join(c.dir, "server.log"), 20))
	}
	return nil
}

// crash stops the server in immediate mode: every backend is killed, no
// checkpoint is written, the next start replays the WAL.
func (c *cluster) crash(ctx context.Context) error {
	out, err := c.run(ctx, "pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "-t", "60", "stop")
	if err != nil {
		return fmt.Errorf("pg_ctl stop -m immediate: %w\n%s", err, out)
	}
	return nil
}

// stop ends the server for good (immediate; the folder goes next).
func (c *cluster) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, _ = c.run(ctx, "pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop")
}

// createDatabase makes the run's database.
func (c *cluster) createDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, "CREATE DATABASE "+name)
	return err
}

// check answers what the run claims about the server's settings.
func (c *cluster) check(ctx context.Context, db string) (string, error) {
	conn, err := pgx.Connect(ctx, c.URL(db))
	if err != nil {
		return "", err
	}
	defer conn.Close(context.Background())
	var version, fsync, sync, fpw string
	err = conn.QueryRow(ctx, "SELECT current_setting('server_version'), current_setting('fsync'), current_setting('synchronous_commit'), current_setting('full_page_writes')").
		Scan(&version, &fsync, &sync, &fpw)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("PostgreSQL %s (fsync=%s, synchronous_commit=%s, full_page_writes=%s)", version, fsync, sync, fpw), nil
}
