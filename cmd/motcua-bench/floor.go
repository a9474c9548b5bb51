package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	_ "github.com/glebarez/go-sqlite" // database/sql driver "sqlite" (pure Go), the server's SQLite engine
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/motcua/motcua/api"
	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/repository"
)

// envFloorKey passes the data key to the floor server (not on its command line).
const envFloorKey = "MOTCUA_BENCH_DATA_KEY"

// sqliteDSN opens path the way the server does (repository.Open): WAL,
// foreign keys, busy timeout, FULL sync.
func sqliteDSN(path string) string {
	return "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)"
}

// lookupRow is what the lookup reads of a dossier.
type lookupRow struct {
	ID                                        int64
	Code, Status, Procedure, Unit, Agency     string
	Name                                      string
	StatusCode                                int
	PinHash                                   string
	Received, Appointment, Resolved, Returned *time.Time
	Outcome                                   *string
	Payment                                   *int64
	Rated                                     bool
}

type stageRow struct {
	Action string
	At     time.Time
	// Details is the JSON of the entry's details for the actions whose
	// details the lookup shows (dossier.PublicDetailActions), else nil.
	Details *string
}

// lookupStore is the reads of the citizen's lookup: the two of the first
// floor (the dossier, then its stages), or the one of the second.
type lookupStore interface {
	dossier(ctx context.Context, code string) (lookupRow, bool, error)
	stages(ctx context.Context, id int64) ([]stageRow, error)
	// one is the dossier and its stages in one statement, the server's own
	// (repository.PublicLookupSQL).
	one(ctx context.Context, code string) (lookupRow, []stageRow, bool, error)
	names(ctx context.Context) (procs, agencies map[string]string, err error)
}

// oneSQL is the one-statement floor's read: the very statement the server
// runs, with pgx's placeholder.
var oneSQL = repository.PublicLookupSQL("$1")

// scanOne reads oneSQL's rows: the dossier's columns on each, then a stage
// when the row has one.
func scanOne(rows rowScanner) (lookupRow, []stageRow, bool, error) {
	var r lookupRow
	var st []stageRow
	found := false
	var rec, app, res, ret sql.NullTime
	var outcome, idHash, action, details sql.NullString
	var payment sql.NullInt64
	var eResult bool
	var at sql.NullTime
	for rows.Next() {
		found = true
		if err := rows.Scan(&r.ID, &r.Code, &r.Status, &r.Name, &idHash, &r.PinHash, &r.Procedure, &r.Unit, &r.Agency,
			&rec, &app, &res, &ret, &outcome, &payment, &eResult, &r.Rated, &action, &at, &details); err != nil {
			return r, nil, false, err
		}
		if action.Valid && at.Valid {
			s := stageRow{Action: action.String, At: at.Time}
			if details.Valid {
				d := details.String
				s.Details = &d
			}
			st = append(st, s)
		}
	}
	r.Received, r.Appointment, r.Resolved, r.Returned = nullTime(rec), nullTime(app), nullTime(res), nullTime(ret)
	if outcome.Valid {
		r.Outcome = &outcome.String
	}
	if payment.Valid {
		r.Payment = &payment.Int64
	}
	return r, st, found, rows.Err()
}

// lookupSQL reads the dossier and, as the server does, whether it is rated
// in the same statement.
const lookupSQL = `SELECT id, code, status, status_code, procedure_code, unit_code, agency_code, applicant_name, pin_hash,
 received_at, appointment_at, resolved_at, returned_at, outcome, payment_amount,
 EXISTS (SELECT 1 FROM ratings WHERE ratings.dossier_id = dossiers.id) FROM dossiers WHERE code = $1`

// stagesSQL reads the history with the details of the actions the lookup
// shows only, as the server does.
var stagesSQL = repository.StagesSQL("$1")

// pgLookup reads with pgx.
type pgLookup struct{ pool *pgxpool.Pool }

func (s pgLookup) dossier(ctx context.Context, code string) (lookupRow, bool, error) {
	var r lookupRow
	err := s.pool.QueryRow(ctx, lookupSQL, code).Scan(&r.ID, &r.Code, &r.Status, &r.StatusCode, &r.Procedure, &r.Unit, &r.Agency,
		&r.Name, &r.PinHash, &r.Received, &r.Appointment, &r.Resolved, &r.Returned, &r.Outcome, &r.Payment, &r.Rated)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

func (s pgLookup) stages(ctx context.Context, id int64) ([]stageRow, error) {
	rows, err := s.pool.Query(ctx, stagesSQL, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanStages(rows)
}

func (s pgLookup) one(ctx context.Context, code string) (lookupRow, []stageRow, bool, error) {
	rows, err := s.pool.Query(ctx, oneSQL, code)
	if err != nil {
		return lookupRow{}, nil, false, err
	}
	defer rows.Close()
	return scanOne(rows)
}

func (s pgLookup) names(ctx context.Context) (map[string]string, map[string]string, error) {
	return loadNames(func(q string) (rowScanner, func(), error) {
		rows, err := s.pool.Query(ctx, q)
		if err != nil {
			return nil, nil, err
		}
		return rows, rows.Close, nil
	})
}

// sqlLookup reads with database/sql on SQLite.
type sqlLookup struct{ db *sql.DB }

func (s sqlLookup) dossier(ctx context.Context, code string) (lookupRow, bool, error) {
	var r lookupRow
	var rec, app, res, ret sql.NullTime
	var outcome sql.NullString
	var payment sql.NullInt64
	err := s.db.QueryRowContext(ctx, lookupSQL, code).Scan(&r.ID, &r.Code, &r.Status, &r.StatusCode, &r.Procedure, &r.Unit, &r.Agency,
		&r.Name, &r.PinHash, &rec, &app, &res, &ret, &outcome, &payment, &r.Rated)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	r.Received, r.Appointment, r.Resolved, r.Returned = nullTime(rec), nullTime(app), nullTime(res), nullTime(ret)
	if outcome.Valid {
		r.Outcome = &outcome.String
	}
	if payment.Valid {
		r.Payment = &payment.Int64
	}
	return r, true, nil
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}

func (s sqlLookup) stages(ctx context.Context, id int64) ([]stageRow, error) {
	rows, err := s.db.QueryContext(ctx, stagesSQL, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close() //nolint:errcheck // read-only
	return scanStages(rows)
}

func (s sqlLookup) one(ctx context.Context, code string) (lookupRow, []stageRow, bool, error) {
	rows, err := s.db.QueryContext(ctx, oneSQL, code)
	if err != nil {
		return lookupRow{}, nil, false, err
	}
	defer rows.Close() //nolint:errcheck // read-only
	return scanOne(rows)
}

func (s sqlLookup) names(ctx context.Context) (map[string]string, map[string]string, error) {
	return loadNames(func(q string) (rowScanner, func(), error) {
		rows, err := s.db.QueryContext(ctx, q)
		if err != nil {
			return nil, nil, err
		}
		return rows, func() { _ = rows.Close() }, nil
	})
}

// rowScanner is what pgx.Rows and *sql.Rows both offer for reading rows.
type rowScanner interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

func scanStages(rows rowScanner) ([]stageRow, error) {
	var out []stageRow
	for rows.Next() {
		var st stageRow
		if err := rows.Scan(&st.Action, &st.At, &st.Details); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// loadNames reads the procedures' and the agencies' names through query,
// which also returns how to close what it opened.
func loadNames(query func(q string) (rowScanner, func(), error)) (procs, agencies map[string]string, err error) {
	load := func(q string) (map[string]string, error) {
		rows, done, err := query(q)
		if err != nil {
			return nil, err
		}
		defer done()
		m := map[string]string{}
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				return nil, err
			}
			m[k] = v
		}
		return m, rows.Err()
	}
	if procs, err = load("SELECT code, name FROM procedures"); err != nil {
		return nil, nil, err
	}
	agencies, err = load("SELECT code, name FROM agencies")
	return procs, agencies, err
}

// floorLookupHandler answers GET /api/v1/public/dossiers/{code}?pin= with
// the bare minimum: the two reads the server made before its lookup was
// one statement (or, with one, that one statement), the same keyed pin
// check, the same JSON, and nothing else (no router, middleware, logs or
// metrics).
type floorLookupHandler struct {
	store           lookupStore
	one             bool
	pins            domain.PinHasher
	loc             *time.Location
	procs, agencies map[string]string
}

var notFoundBody = []byte(`{"error":{"code":"not_found","message":"Không tìm thấy hồ sơ"}}`)

func (h *floorLookupHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	code, pin := r.PathValue("code"), r.URL.Query().Get("pin")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if !domain.ValidPinFormat(pin) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = w.Write([]byte(`{"error":{"code":"validation_failed","message":"Dữ liệu không hợp lệ"}}`))
		return
	}
	var d lookupRow
	var st []stageRow
	var found bool
	var err error
	if h.one {
		d, st, found, err = h.store.one(r.Context(), code)
	} else {
		d, found, err = h.store.dossier(r.Context(), code)
	}
	if err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"Lỗi hệ thống"}}`, http.StatusInternalServerError)
		return
	}
	if !found || !h.pins.Verify(d.Code, pin, d.PinHash) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write(notFoundBody)
		return
	}
	if !h.one {
		if st, err = h.store.stages(r.Context(), d.ID); err != nil {
			http.Error(w, `{"error":{"code":"internal","message":"Lỗi hệ thống"}}`, http.StatusInternalServerError)
			return
		}
	}
	// The next step and the reschedule are the domain's rules over what was
	// read, and the JSON is the server's own type: the floor saves the
	// router, the middleware and the service, not the answer's work.
	p := dossier.Public{Code: d.Code, Status: dossier.Status(d.Status), ProcedureName: h.procs[d.Procedure],
		AgencyName: h.agencies[d.Agency], UnitName: h.agencies[d.Unit], ApplicantName: domain.MaskName(d.Name),
		ReceivedAt: d.Received, AppointmentAt: d.Appointment, ResolvedAt: d.Resolved, ReturnedAt: d.Returned,
		Rated: d.Rated, Stages: make([]dossier.Stage, 0, len(st))}
	if d.Outcome != nil && dossier.Outcome(*d.Outcome).Valid() {
		p.Outcome = dossier.Outcome(*d.Outcome)
	}
	for _, s := range st {
		stage := dossier.Stage{Action: dossier.Action(s.Action), At: s.At}
		if s.Details != nil && *s.Details != "" {
			if err := json.Unmarshal([]byte(*s.Details), &stage.Details); err != nil {
				http.Error(w, `{"error":{"code":"internal","message":"Lỗi hệ thống"}}`, http.StatusInternalServerError)
				return
			}
		}
		p.Stages = append(p.Stages, stage)
	}
	p.Next = dossier.NextStepOf(dossier.Dossier{Status: p.Status, Outcome: p.Outcome, PaymentAmount: d.Payment}, p.Stages, d.Rated)
	p.Reschedule = dossier.LatestReschedule(p.Stages)
	_ = json.NewEncoder(w).Encode(api.NewPublicDossier(p, h.loc))
}

// floorServerMain runs the lookup floor as its own process (so it is load
// tested across a process boundary exactly like the server):
//
//	motcua-bench floor-server -engine postgres|sqlite -dsn DSN -addr 127.0.0.1:PORT -pool N [-one]
//
// The data key comes from MOTCUA_BENCH_DATA_KEY.
func floorServerMain(args []string) int {
	fs := flag.NewFlagSet("floor-server", flag.ContinueOnError)
	engine := fs.String("engine", "postgres", "postgres or sqlite")
	dsn := fs.String("dsn", "", "PostgreSQL URL or SQLite file")
	addr := fs.String("addr", "127.0.0.1:0", "loopback address to listen on")
	pool := fs.Int("pool", 20, "database connections (the server's pool size)")
	zone := fs.String("zone", "Asia/Ho_Chi_Minh", "time zone of the answers")
	one := fs.Bool("one", false, "read with the server's one statement instead of the two reads (dossier, stages)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := serveFloor(*engine, *dsn, *addr, *pool, *zone, *one); err != nil {
		fmt.Fprintln(os.Stderr, "floor-server:", err)
		return 1
	}
	return 0
}

func serveFloor(engine, dsn, addr string, pool int, zone string, one bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	host, _, err := net.SplitHostPort(addr)
	if err != nil || net.ParseIP(host) == nil || !net.ParseIP(host).IsLoopback() {
		return errors.New("-addr must be a loopback address")
	}
	key := os.Getenv(envFloorKey)
	if len(key) < 32 {
		return errors.New(envFloorKey + " must hold the server's data key")
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return err
	}
	var store lookupStore
	switch engine {
	case "postgres":
		cfg, err := pgxpool.ParseConfig(dsn)
		if err != nil {
			return fmt.Errorf("bad -dsn")
		}
		cfg.MaxConns = int32(pool)
		cfg.MinConns = int32(pool)
		p, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			return fmt.Errorf("connect: %w", err)
		}
		defer p.Close()
		store = pgLookup{pool: p}
	case "sqlite":
		db, err := sql.Open("sqlite", sqliteDSN(dsn))
		if err != nil {
			return err
		}
		defer db.Close()
		db.SetMaxOpenConns(pool)
		db.SetMaxIdleConns(pool)
		store = sqlLookup{db: db}
	default:
		return fmt.Errorf("unknown engine %q", engine)
	}
	procs, agencies, err := store.names(ctx)
	if err != nil {
		return fmt.Errorf("load names: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /api/v1/public/dossiers/{code}", &floorLookupHandler{store: store, one: one, pins: domain.NewPinHasher([]byte(key)),
		loc: loc, procs: procs, agencies: agencies})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}
