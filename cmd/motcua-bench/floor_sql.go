package main

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/motcua/motcua/cmd/internal/benchkit"
	"github.com/motcua/motcua/cmd/internal/loadgen"
	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/dossier"
)

// counts are the counted figures of a form-06 row (docs/domain.md); the totals
// and rates derive from them.
type counts struct {
	CarriedOver          int64 `json:"carried_over"`
	ReceivedOnline       int64 `json:"received_online"`
	ReceivedDirectPostal int64 `json:"received_direct_postal"`
	ResolvedTotal        int64 `json:"resolved_total"`
	ResolvedEarly        int64 `json:"resolved_early"`
	ResolvedOnTime       int64 `json:"resolved_on_time"`
	ResolvedLate         int64 `json:"resolved_late"`
	InProgressWithin     int64 `json:"in_progress_within"`
	InProgressOverdue    int64 `json:"in_progress_overdue"`
	Withdrawn            int64 `json:"withdrawn"`
	Stopped              int64 `json:"stopped"`
	Rejected             int64 `json:"rejected"`
	OnSpotResolved       int64 `json:"on_spot_resolved"`
	// Derived totals as the server answers them (checked for consistency).
	ReceivedTotal   int64 `json:"received_total"`
	InProgressTotal int64 `json:"in_progress_total"`
}

func (c *counts) add(o counts) {
	c.CarriedOver += o.CarriedOver
	c.ReceivedOnline += o.ReceivedOnline
	c.ReceivedDirectPostal += o.ReceivedDirectPostal
	c.ResolvedTotal += o.ResolvedTotal
	c.ResolvedEarly += o.ResolvedEarly
	c.ResolvedOnTime += o.ResolvedOnTime
	c.ResolvedLate += o.ResolvedLate
	c.InProgressWithin += o.InProgressWithin
	c.InProgressOverdue += o.InProgressOverdue
	c.Withdrawn += o.Withdrawn
	c.Stopped += o.Stopped
	c.Rejected += o.Rejected
	c.OnSpotResolved += o.OnSpotResolved
	c.ReceivedTotal += o.ReceivedTotal
	c.InProgressTotal += o.InProgressTotal
}

// derive fills the derived totals from the counted figures.
func (c *counts) derive() {
	c.ReceivedTotal = c.CarriedOver + c.ReceivedOnline + c.ReceivedDirectPostal
	c.InProgressTotal = c.InProgressWithin + c.InProgressOverdue
}

// diff lists the figures where c and o differ.
func (c counts) diff(o counts) []string {
	var out []string
	chk := func(name string, a, b int64) {
		if a != b {
			out = append(out, fmt.Sprintf("%s %d≠%d", name, a, b))
		}
	}
	chk("received_total", c.ReceivedTotal, o.ReceivedTotal)
	chk("carried_over", c.CarriedOver, o.CarriedOver)
	chk("received_online", c.ReceivedOnline, o.ReceivedOnline)
	chk("received_direct_postal", c.ReceivedDirectPostal, o.ReceivedDirectPostal)
	chk("resolved_total", c.ResolvedTotal, o.ResolvedTotal)
	chk("resolved_early", c.ResolvedEarly, o.ResolvedEarly)
	chk("resolved_on_time", c.ResolvedOnTime, o.ResolvedOnTime)
	chk("resolved_late", c.ResolvedLate, o.ResolvedLate)
	chk("in_progress_total", c.InProgressTotal, o.InProgressTotal)
	chk("in_progress_within", c.InProgressWithin, o.InProgressWithin)
	chk("in_progress_overdue", c.InProgressOverdue, o.InProgressOverdue)
	chk("withdrawn", c.Withdrawn, o.Withdrawn)
	chk("stopped", c.Stopped, o.Stopped)
	chk("rejected", c.Rejected, o.Rejected)
	chk("on_spot_resolved", c.OnSpotResolved, o.OnSpotResolved)
	return out
}

// form06Answer is a form-06 table: per reception unit and the total.
type form06Answer struct {
	Rows  map[string]counts
	Total counts
}

// compare says whether two answers agree on the total and on every row
// (a row missing on one side counts as zeros), and where they do not.
func (a form06Answer) compare(b form06Answer) []string {
	var out []string
	for _, d := range a.Total.diff(b.Total) {
		out = append(out, "total: "+d)
	}
	units := map[string]bool{}
	for u := range a.Rows {
		units[u] = true
	}
	for u := range b.Rows {
		units[u] = true
	}
	for _, u := range slices.Sorted(maps.Keys(units)) {
		for _, d := range a.Rows[u].diff(b.Rows[u]) {
			out = append(out, u+": "+d)
		}
	}
	return out
}

// form06FloorSQL is the floor of the monthly report: one hand-written scan
// of the raw dossiers table, every figure a SUM(CASE …) over docs/domain.md's
// definitions, grouped by reception unit. $1 and $2 are the period's
// half-open bounds [start, end); scope (SQL) restricts the rows or is TRUE.
func form06FloorSQL(engine, scope string) string {
	bounds := "SELECT $1::timestamptz AS s, $2::timestamptz AS e"
	if engine == "sqlite" {
		bounds = "SELECT $1 AS s, $2 AS e"
	}
	const fin = "COALESCE(d.resolved_at, d.withdrawn_at, d.stopped_at)"
	const cls = "COALESCE(d.timeliness, CASE WHEN d.resolved_at > d.due_at THEN 'late' ELSE 'on_time' END)"
	const res = "d.received_at IS NOT NULL AND d.resolved_at >= p.s AND d.resolved_at < p.e"
	const open = "d.received_at < p.e AND (" + fin + " IS NULL OR " + fin + " >= p.e)"
	sum := func(cond string) string { return "SUM(CASE WHEN " + cond + " THEN 1 ELSE 0 END)" }
	cols := []string{
		sum("d.received_at < p.s AND (" + fin + " IS NULL OR " + fin + " >= p.s)"),
		sum("d.received_at >= p.s AND d.received_at < p.e AND d.channel = 'online'"),
		sum("d.received_at >= p.s AND d.received_at < p.e AND d.channel <> 'online'"),
		sum(res),
		sum(res + " AND " + cls + " = 'early'"),
		sum(res + " AND " + cls + " = 'on_time'"),
		sum(res + " AND " + cls + " = 'late'"),
		sum(open + " AND (d.due_at IS NULL OR d.due_at >= p.e)"),
		sum(open + " AND d.due_at < p.e"),
		sum("d.received_at IS NOT NULL AND d.withdrawn_at >= p.s AND d.withdrawn_at < p.e"),
		sum("d.received_at IS NOT NULL AND d.stopped_at >= p.s AND d.stopped_at < p.e"),
		sum("d.rejected_at >= p.s AND d.rejected_at < p.e"),
		sum(res + " AND d.on_spot"),
	}
	return "WITH p AS (" + bounds + ")\nSELECT d.unit_code,\n " + strings.Join(cols, ",\n ") +
		"\nFROM dossiers d CROSS JOIN p\nWHERE " + scope + "\nGROUP BY d.unit_code"
}

// scopeSQL restricts dossiers to units (reception unit, handling agency
// or current holder among them, docs/domain.md), or TRUE for the province. Codes
// come from the server's own catalogue and are quoted.
func scopeSQL(units []string) string {
	if units == nil {
		return "1 = 1"
	}
	q := make([]string, len(units))
	for i, u := range units {
		q[i] = "'" + strings.ReplaceAll(u, "'", "''") + "'"
	}
	in := "(" + strings.Join(q, ", ") + ")"
	return "(d.unit_code IN " + in + " OR d.agency_code IN " + in + " OR d.holder_unit IN " + in + ")"
}

// scanner reads rows of either driver.
type scanner interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

func readForm06(rows scanner) (form06Answer, error) {
	ans := form06Answer{Rows: map[string]counts{}}
	for rows.Next() {
		var unit string
		var c counts
		if err := rows.Scan(&unit, &c.CarriedOver, &c.ReceivedOnline, &c.ReceivedDirectPostal, &c.ResolvedTotal,
			&c.ResolvedEarly, &c.ResolvedOnTime, &c.ResolvedLate, &c.InProgressWithin, &c.InProgressOverdue,
			&c.Withdrawn, &c.Stopped, &c.Rejected, &c.OnSpotResolved); err != nil {
			return ans, err
		}
		c.derive()
		if c != (counts{}) {
			ans.Rows[unit] = c
			ans.Total.add(c)
		}
	}
	return ans, rows.Err()
}

// floorDB is the bench's own connection to the database, for the floors
// that are timed in process: the form-06 scan and the bulk load.
type floorDB struct {
	engine string
	pg     *pgx.Conn
	sql    *sql.DB
}

func openFloorDB(ctx context.Context, d *benchkit.Database) (*floorDB, error) {
	if d.Engine == "postgres" {
		c, err := pgx.Connect(ctx, d.DSN)
		if err != nil {
			return nil, fmt.Errorf("floor connection: %w", err)
		}
		return &floorDB{engine: d.Engine, pg: c}, nil
	}
	db, err := sql.Open("sqlite", sqliteDSN(d.DSN))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return &floorDB{engine: d.Engine, sql: db}, nil
}

func (f *floorDB) close() {
	if f == nil {
		return
	}
	if f.pg != nil {
		_ = f.pg.Close(context.Background())
	}
	if f.sql != nil {
		_ = f.sql.Close()
	}
}

func (f *floorDB) exec(ctx context.Context, q string) error {
	if f.pg != nil {
		_, err := f.pg.Exec(ctx, q)
		return err
	}
	_, err := f.sql.ExecContext(ctx, q)
	return err
}

// form06 runs the floor scan for [start, end) over scope.
func (f *floorDB) form06(ctx context.Context, start, end time.Time, units []string) (form06Answer, error) {
	q := form06FloorSQL(f.engine, scopeSQL(units))
	if f.pg != nil {
		rows, err := f.pg.Query(ctx, q, start.UTC(), end.UTC())
		if err != nil {
			return form06Answer{}, err
		}
		defer rows.Close()
		return readForm06(rows)
	}
	rows, err := f.sql.QueryContext(ctx, q, start.UTC(), end.UTC())
	if err != nil {
		return form06Answer{}, err
	}
	defer rows.Close()
	return readForm06(rows)
}

// analyze brings the planner's statistics up to date after the bulk
// import, as autovacuum would shortly after (PostgreSQL only; SQLite has
// no automatic ANALYZE, so the server runs with what it has).
func (f *floorDB) analyze(ctx context.Context) error {
	if f.pg == nil {
		return nil
	}
	return f.exec(ctx, "VACUUM ANALYZE")
}

// floorTable is the scratch copy of dossiers the bulk-load floor fills.
const floorTable = "bench_floor_dossiers"

// floorColumns are the columns the bulk-load floor writes, in row order.
var floorColumns = []string{"id", "code", "procedure_code", "unit_code", "agency_code", "holder_unit", "channel", "on_spot",
	"status", "status_code", "applicant_name", "applicant_name_folded", "applicant_id_number", "applicant_id_hash",
	"applicant_phone", "applicant_address", "documents", "pin_hash", "processing_value", "processing_unit",
	"submitted_at", "received_at", "due_at", "appointment_at", "resolved_at", "outcome", "timeliness", "returned_at",
	"withdrawn_at", "stopped_at", "rejected_at", "version", "created_at", "updated_at"}

// rowValues turns r into the values of floorColumns.
func rowValues(id int64, r *loadgen.Record, pins domain.PinHasher, loc *time.Location, now time.Time) []any {
	opt := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.UTC()
	}
	optS := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	submitted, a := r.Submitted, r.Applicant
	return []any{id, r.Code, r.Procedure, r.Unit, r.Agency, r.Agency, r.Channel, r.OnSpot,
		r.Status, int64(r.StatusCode()), a.Name, dossier.Fold(a.Name), a.IDNumber, pins.Hash("id", a.IDNumber),
		a.Phone, a.Address, "[]", "", int64(r.ProcValue), r.ProcUnit,
		submitted.UTC(), opt(r.Received), opt(r.Due), opt(r.Due), opt(r.Resolved), optS(r.Outcome), optS(r.Timeliness(loc)),
		opt(r.Returned), opt(r.Withdrawn), opt(r.Stopped), opt(r.Rejected), int64(1), now.UTC(), now.UTC()}
}

// prepareFloorTable creates an empty scratch copy of dossiers with the same
// columns, defaults, checks and indexes (not the foreign keys).
func (f *floorDB) prepareFloorTable(ctx context.Context) error {
	if err := f.exec(ctx, "DROP TABLE IF EXISTS "+floorTable); err != nil {
		return err
	}
	if f.pg != nil {
		return f.exec(ctx, "CREATE TABLE "+floorTable+" (LIKE dossiers INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)")
	}
	rows, err := f.sql.QueryContext(ctx, "SELECT type, sql FROM sqlite_master WHERE tbl_name = 'dossiers' AND sql IS NOT NULL ORDER BY type DESC")
	if err != nil {
		return err
	}
	var stmts []string
	for rows.Next() {
		var typ, s string
		if err := rows.Scan(&typ, &s); err != nil {
			rows.Close()
			return err
		}
		if typ == "table" {
			stmts = append(stmts, replaceFirstFold(s, "dossiers", floorTable))
		} else if typ == "index" {
			s = replaceFirstFold(s, " ON dossiers", " ON "+floorTable)
			s = replaceFirstFold(s, "INDEX ", "INDEX floor_")
			stmts = append(stmts, s)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(stmts) == 0 {
		return fmt.Errorf("no dossiers table")
	}
	for _, s := range stmts {
		if err := f.exec(ctx, s); err != nil {
			return fmt.Errorf("scratch table: %w", err)
		}
	}
	return nil
}

// replaceFirstFold replaces the first case-insensitive occurrence of old.
func replaceFirstFold(s, old, new string) string {
	i := strings.Index(strings.ToLower(s), strings.ToLower(old))
	if i < 0 {
		return s
	}
	return s[:i] + new + s[i+len(old):]
}

// bulkLoad writes n generated rows into table (the scratch copy) the fastest
// plain way the engine has: COPY (pgx CopyFrom) on PostgreSQL; on SQLite
// one transaction of prepared INSERTs of sqliteRows rows each (1 is the
// fastest with this driver: it binds parameters in O(params²), so a
// 500-row statement of 34 columns loads some 60 times slower). It returns
// how long the load took, generation included (as it is for the import).
func (f *floorDB) bulkLoad(ctx context.Context, table string, gen *loadgen.Generator, n, sqliteRows int, pins domain.PinHasher, loc *time.Location) (time.Duration, error) {
	now := time.Now()
	var rec loadgen.Record
	start := time.Now()
	if f.pg != nil {
		i := 0
		src := pgx.CopyFromFunc(func() ([]any, error) {
			if i >= n {
				return nil, nil
			}
			i++
			gen.Next(&rec)
			return rowValues(int64(i), &rec, pins, loc, now), nil
		})
		copied, err := f.pg.CopyFrom(ctx, pgx.Identifier{table}, floorColumns, src)
		if err != nil {
			return 0, fmt.Errorf("copy: %w", err)
		}
		if copied != int64(n) {
			return 0, fmt.Errorf("copy: %d rows of %d", copied, n)
		}
		return time.Since(start), nil
	}
	batch := max(sqliteRows, 1)
	tx, err := f.sql.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback() //nolint:errcheck
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(floorColumns)), ",") + ")"
	insert := func(rows int) string {
		return "INSERT INTO " + table + " (" + strings.Join(floorColumns, ", ") + ") VALUES " +
			strings.TrimSuffix(strings.Repeat(one+",", rows), ",")
	}
	full, err := tx.PrepareContext(ctx, insert(batch))
	if err != nil {
		return 0, err
	}
	defer full.Close()
	args := make([]any, 0, batch*len(floorColumns))
	for i := 1; i <= n; i++ {
		gen.Next(&rec)
		args = append(args, rowValues(int64(i), &rec, pins, loc, now)...)
		if len(args) == cap(args) {
			if _, err := full.ExecContext(ctx, args...); err != nil {
				return 0, fmt.Errorf("insert: %w", err)
			}
			args = args[:0]
		}
	}
	if len(args) > 0 {
		if _, err := tx.ExecContext(ctx, insert(len(args)/len(floorColumns)), args...); err != nil {
			return 0, fmt.Errorf("insert: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// countReceivedSince counts the dossiers received at or after since.
func (f *floorDB) countReceivedSince(ctx context.Context, since time.Time) (int64, error) {
	const q = "SELECT COUNT(*) FROM dossiers WHERE received_at >= $1"
	var n int64
	if f.pg != nil {
		err := f.pg.QueryRow(ctx, q, since.UTC()).Scan(&n)
		return n, err
	}
	err := f.sql.QueryRowContext(ctx, q, since.UTC()).Scan(&n)
	return n, err
}
