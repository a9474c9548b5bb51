package repository

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/dvcqg"
	"github.com/motcua/motcua/domain/stats"
	"github.com/motcua/motcua/domain/user"
)

// statement is one SQL statement a store ran, with its arguments.
type statement struct {
	SQL  string
	Vars []any
}

// recorder captures the statements db runs while it is on.
type recorder struct {
	mu    sync.Mutex
	on    bool
	stmts []statement
}

func newRecorder(t *testing.T, db *gorm.DB) *recorder {
	t.Helper()
	r := &recorder{}
	keep := func(tx *gorm.DB) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.on && tx.Statement.SQL.Len() > 0 {
			r.stmts = append(r.stmts, statement{SQL: tx.Statement.SQL.String(), Vars: append([]any(nil), tx.Statement.Vars...)})
		}
	}
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().Register("test:record", keep), cb.Query().Register("test:record", keep),
		cb.Update().Register("test:record", keep), cb.Delete().Register("test:record", keep),
		cb.Row().Register("test:record", keep), cb.Raw().Register("test:record", keep),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// record returns the statements fn runs.
func (r *recorder) record(t *testing.T, fn func() error) []statement {
	t.Helper()
	r.mu.Lock()
	r.on, r.stmts = true, nil
	r.mu.Unlock()
	err := fn()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	if err != nil {
		t.Fatal(err)
	}
	if len(r.stmts) == 0 {
		t.Fatal("no statement recorded")
	}
	return r.stmts
}

// bigTables may never be read whole on a hot path.
var bigTables = map[string]bool{"dossiers": true, "dossier_history": true, "feedback": true}

// pgPlanNode is a node of EXPLAIN (FORMAT JSON).
type pgPlanNode struct {
	NodeType  string       `json:"Node Type"`
	Relation  string       `json:"Relation Name"`
	Index     string       `json:"Index Name"`
	IndexCond string       `json:"Index Cond"`
	Plans     []pgPlanNode `json:"Plans"`
}

// explainPG returns the sequential scans of big tables in st's plan, and
// the plan's nodes as one line for the log.
func explainPG(t *testing.T, db *gorm.DB, st statement) (seqScans []string, summary string) {
	t.Helper()
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	var out string
	if err := sqlDB.QueryRow("EXPLAIN (FORMAT JSON) "+st.SQL, st.Vars...).Scan(&out); err != nil {
		t.Fatalf("explain %s: %v", st.SQL, err)
	}
	var plans []struct {
		Plan pgPlanNode `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(out), &plans); err != nil || len(plans) != 1 {
		t.Fatalf("explain output %s: %v", out, err)
	}
	var nodes []string
	var walk func(n pgPlanNode)
	walk = func(n pgPlanNode) {
		s := n.NodeType
		if n.Relation != "" {
			s += " " + n.Relation
		}
		if n.Index != "" {
			s += " (" + n.Index + ")"
		}
		if n.IndexCond != "" {
			s += " [" + n.IndexCond + "]"
		}
		nodes = append(nodes, s)
		if n.NodeType == "Seq Scan" && bigTables[n.Relation] {
			seqScans = append(seqScans, n.Relation)
		}
		for _, c := range n.Plans {
			walk(c)
		}
	}
	walk(plans[0].Plan)
	return seqScans, strings.Join(nodes, " → ")
}

// explainSQLite returns the details of EXPLAIN QUERY PLAN for st.
func explainSQLite(t *testing.T, db *gorm.DB, st statement) []string {
	t.Helper()
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := sqlDB.Query("EXPLAIN QUERY PLAN "+st.SQL, st.Vars...)
	if err != nil {
		t.Fatalf("explain %s: %v", st.SQL, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		out = append(out, detail)
	}
	return out
}

// explainWorld is the rollup world with twenty more communes, and 24,000
// dossiers spread like a province's over fifteen months, with their
// history and some feedback, written in bulk.
func explainWorld(t *testing.T) (*rollupWorld, []string) {
	t.Helper()
	ctx := context.Background()
	w := newRollupWorld(t)
	sys := user.Principal{Username: "system", Role: user.RoleAdmin}
	units := []string{"C", "C", "C", "C", "J", "D", "D", "X", "Y"}
	for i := 1; i <= 20; i++ {
		code := fmt.Sprintf("X%02d", i)
		if _, err := w.cat.CreateAgency(ctx, sys, catalog.Agency{Code: code, Name: "Xã " + code, Kind: catalog.KindCommune, ParentCode: "D"}); err != nil {
			t.Fatal(err)
		}
		units = append(units, code, code)
	}
	rng := rand.New(rand.NewSource(20))
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, w.loc)
	now := time.Date(2026, 3, 31, 12, 0, 0, 0, w.loc)
	const n, batch = 24000, 400
	err := w.db.Transaction(func(tx *gorm.DB) error {
		id := int64(0)
		for lo := 0; lo < n; lo += batch {
			var dossiers, history, fb []map[string]any
			for i := lo; i < lo+batch; i++ {
				id++
				p := w.procs[rng.Intn(len(w.procs))]
				unit := units[rng.Intn(len(units))]
				recv := start.Add(time.Duration(rng.Int63n(int64(now.Sub(start)))))
				due := recv.Add(time.Duration(24+rng.Intn(300)) * time.Hour)
				status, code := "returned", 10
				var resolved, returned *time.Time
				var timeliness any
				switch c := rng.Intn(100); {
				case recv.After(now.Add(-30*24*time.Hour)) && c < 60, c < 4:
					status, code = []string{"received", "processing", "supplement_requested", "awaiting_payment"}[c%4], []int{2, 4, 5, 6}[c%4]
				default:
					r := recv.Add(time.Duration(float64(due.Sub(recv)) * (0.2 + rng.Float64())))
					ret := r.Add(time.Hour)
					resolved, returned = &r, &ret
					timeliness = "on_time"
					if r.After(due) {
						timeliness = "late"
					}
				}
				dossiers = append(dossiers, map[string]any{
					"id": id, "code": fmt.Sprintf("%s-%s-%05d", unit, recv.In(w.loc).Format("060102"), i), "procedure_code": p.Code,
					"unit_code": unit, "agency_code": p.AgencyCode, "holder_unit": p.AgencyCode, "channel": []string{"direct", "online", "postal"}[rng.Intn(3)],
					"on_spot": false, "status": status, "status_code": code, "applicant_name": "Nguyễn Văn Thử",
					"applicant_name_folded": "nguyen van thu", "pin_hash": "x", "processing_value": 5, "processing_unit": "working_days",
					"submitted_at": recv.UTC(), "received_at": recv.UTC(), "due_at": due.UTC(), "appointment_at": due.UTC(),
					"resolved_at": utcOrNil(resolved), "timeliness": timeliness, "returned_at": utcOrNil(returned),
					"created_at": recv.UTC(), "updated_at": recv.UTC(),
				})
				// Digitisation flags, some set days after receipt (lag rows);
				// every row names the same columns (one batch, one INSERT).
				row := dossiers[len(dossiers)-1]
				row["digitised"], row["digitised_at"], row["component_file_at"] = false, nil, nil
				row["payable_at"], row["paid_online_at"], row["paid_online"] = nil, nil, false
				if c := rng.Intn(10); c < 4 {
					later := recv.Add(time.Duration(rng.Intn(120)) * time.Hour).UTC()
					row["digitised"], row["digitised_at"], row["component_file_at"] = true, later, recv.UTC()
					if c < 2 {
						row["payable_at"], row["paid_online_at"], row["paid_online"] = recv.UTC(), later, true
					}
				}
				history = append(history, map[string]any{"dossier_id": id, "action": "receive", "to_status": "received", "at": recv.UTC(), "by_user": "clerk", "unit": unit})
				if resolved != nil {
					history = append(history,
						map[string]any{"dossier_id": id, "action": "start", "from_status": "received", "to_status": "processing", "at": recv.UTC(), "by_user": "officer", "unit": p.AgencyCode},
						map[string]any{"dossier_id": id, "action": "resolve", "from_status": "processing", "to_status": "resolved", "at": resolved.UTC(), "by_user": "leader", "unit": p.AgencyCode})
				}
				if i%8 == 0 {
					fb = append(fb, map[string]any{"code": fmt.Sprintf("PAKN-%05d", i), "channel": "hotline", "category": "procedure",
						"title": "Hỏi", "content": "Nội dung", "agency_code": p.AgencyCode, "recorded_unit": unit, "status": "received",
						"received_at": recv.UTC(), "due_at": due.UTC(), "refuse_due_at": due.UTC(), "created_at": recv.UTC(), "updated_at": recv.UTC()})
				}
			}
			if err := tx.Table("dossiers").CreateInBatches(dossiers, 100).Error; err != nil {
				return err
			}
			if err := tx.Table("dossier_history").CreateInBatches(history, 100).Error; err != nil {
				return err
			}
			if err := tx.Table("feedback").CreateInBatches(fb, 100).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if Dialect(w.db) == "postgres" {
		// The sequence behind BIGSERIAL did not see the explicit ids.
		if err := w.db.Exec("SELECT setval(pg_get_serial_sequence('dossiers', 'id'), (SELECT MAX(id) FROM dossiers))").Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := RebuildRollups(ctx, w.db, w.loc); err != nil {
		t.Fatal(err)
	}
	stmt := "ANALYZE"
	if Dialect(w.db) == "postgres" {
		stmt = "VACUUM ANALYZE"
	}
	if err := w.db.Exec(stmt).Error; err != nil {
		t.Fatal(err)
	}
	return w, units
}

func utcOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// The hot paths read through indexes: on PostgreSQL no plan of theirs
// scans dossiers, dossier_history or feedback sequentially; on SQLite the
// lookup and the lists SEARCH an index.
func TestHotPathsUseIndexes(t *testing.T) {
	if testing.Short() {
		t.Skip("query plans over a generated province: run without -short")
	}
	ctx := context.Background()
	w, _ := explainWorld(t)
	rec := newRecorder(t, w.db)
	store := NewDossierStore(w.db, testSealer(t))
	now := time.Date(2026, 3, 31, 12, 0, 0, 0, w.loc).UTC()
	var code string
	if err := w.db.Table("dossiers").Where("id = ?", 777).Pluck("code", &code).Error; err != nil || code == "" {
		t.Fatalf("sample code: %v", err)
	}
	list := func(q dossier.Query) func() error {
		return func() error { _, _, err := store.List(ctx, q); return err }
	}
	cursor := domain.Cursor{At: now.Add(-90 * 24 * time.Hour), ID: 12000}
	type hotPath struct {
		name string
		fn   func() error
		// sqlite: what SQLite must do for this path's statements.
		sqlite sqliteRule
	}
	// cursorOf names the paths whose first statement must give its index
	// the column of a keyset cursor as a bound (in the index condition on
	// PostgreSQL, the SEARCH on SQLite), so each page starts where the last
	// ended instead of at the range's start.
	cursorOf := map[string]string{"dvcqg export page after a cursor": "code"}
	paths := []hotPath{
		{"public lookup by code", func() error {
			_, err := store.PublicByCode(ctx, code)
			return err
		}, mustSearch},
		{"list by unit", list(dossier.Query{UnitCode: "X07", Limit: 50}), mustSearch},
		{"dvcqg export page after a cursor", func() error {
			_, err := store.ChangedDossiers(ctx, dvcqg.Query{From: now.AddDate(-2, 0, 0), To: now.AddDate(1, 0, 0),
				After: &dvcqg.Key{ChangedAt: now.AddDate(0, -1, 0), Code: "X"}, Limit: 200})
			return err
		}, mustSearch},
		// The page of a scope (three columns ORed) walks the list's order
		// index and stops at the page's end.
		{"list of a unit's scope", list(dossier.Query{Scope: w.tree.Subtree("X07"), Limit: 50}), mayWalkIndex},
		{"list by status", list(dossier.Query{Status: dossier.Processing, Limit: 50}), mustSearch},
		{"list overdue", list(dossier.Query{OverdueAt: &now, Limit: 50}), mustSearch},
		{"list by unit and status", list(dossier.Query{UnitCode: "C", Status: dossier.Received, Limit: 50}), mustSearch},
		{"list keyset page", list(dossier.Query{After: &cursor, Limit: 50, Status: dossier.Processing}), mustSearch},
		{"registration", func() error {
			h := w.maker(t, 1)
			h.set(now)
			_, err := h.svc.Register(ctx, user.Principal{Username: "clerk", Role: user.RoleClerk, Unit: "C"},
				dossier.NewDossier{ProcedureCode: "pJ1", Channel: dossier.Direct, Applicant: dossier.Applicant{Name: "Nguyễn Văn Thử"}})
			return err
		}, anything},
	}
	st := NewStatsStore(w.db)
	for _, units := range [][]string{nil, w.tree.Subtree("D"), {"C"}} {
		// A calendar month, and months from cut-off days (dekads and edge days).
		for _, p := range []stats.Period{stats.MonthPeriod(2026, 2, 0, w.loc), stats.MonthPeriod(2026, 2, 15, w.loc),
			stats.MonthPeriod(2026, 3, 7, w.loc)} {
			q := queryOf(p, units)
			paths = append(paths, hotPath{fmt.Sprintf("form 06 and digitisation %v..%v scope %v", p.From, p.To, units), func() error {
				if ok, err := st.useRollups(ctx, q); err != nil || !ok {
					return fmt.Errorf("rollups unusable: %v", err)
				}
				if _, err := st.Form06(ctx, q, stats.ByField); err != nil {
					return err
				}
				if _, err := st.Digitisation(ctx, q); err != nil {
					return err
				}
				_, err := st.Online(ctx, q)
				return err
			}, noDossiers})
		}
	}
	pg := Dialect(w.db) == "postgres"
	for _, p := range paths {
		for i, s := range rec.record(t, p.fn) {
			if pg {
				seq, summary := explainPG(t, w.db, s)
				if c := cursorOf[p.name]; i == 0 && c != "" && !strings.Contains(summary, ", "+c+") > ROW(") &&
					!strings.Contains(summary, ", ("+c+")::text) > ROW(") {
					t.Errorf("%s: the index scan is not bounded by the cursor's %s: %s", p.name, c, summary)
				}
				t.Logf("%s: %s", p.name, summary)
				if len(seq) > 0 {
					t.Errorf("%s: sequential scan of %v:\n%s\nplan: %s", p.name, seq, s.SQL, summary)
				}
				if p.sqlite == noDossiers && strings.Contains(summary, " dossiers") {
					t.Errorf("%s reads dossiers: %s", p.name, summary)
				}
				// The day rows are about one a dossier: read by ranges only.
				if p.sqlite == noDossiers && (strings.Contains(summary, "Seq Scan "+rollupsDaily) || strings.Contains(summary, "Seq Scan "+flagLagsTable)) {
					t.Errorf("%s scans every day row or every lag: %s", p.name, summary)
				}
				continue
			}
			details := explainSQLite(t, w.db, s)
			t.Logf("%s: %s", p.name, strings.Join(details, "; "))
			if c := cursorOf[p.name]; i == 0 && c != "" && !strings.Contains(strings.Join(details, "; "), ","+c+")>") {
				t.Errorf("%s: the index search is not bounded by the cursor's %s: %v", p.name, c, details)
			}
			if err := p.sqlite.check(details); err != nil {
				t.Errorf("%s: %v\n%s", p.name, err, s.SQL)
			}
		}
	}
}

// sqliteRule is what a hot path's SQLite plans must show.
type sqliteRule int

const (
	anything     sqliteRule = iota
	mustSearch              // SEARCH through an index, never a full scan of a big table
	mayWalkIndex            // SEARCH, or walk an index in order (SCAN … USING INDEX)
	noDossiers              // never touch the dossiers table; rollups by key ranges only
)

func (r sqliteRule) check(details []string) error {
	if r == anything {
		return nil
	}
	searched := false
	for _, d := range details {
		for tbl := range bigTables {
			if !strings.HasPrefix(d, "SCAN "+tbl+" ") && d != "SCAN "+tbl {
				continue
			}
			if r != mayWalkIndex || !strings.Contains(d, " USING INDEX ") {
				return fmt.Errorf("full scan %q", d)
			}
			searched = true
		}
		if r == noDossiers && (strings.Contains(d, " dossiers ") || strings.HasSuffix(d, " dossiers")) {
			return fmt.Errorf("reads dossiers: %q", d)
		}
		// Rollups (alias r) and flag lags (alias fl) are read by ranges of
		// their key, never whole.
		if r == noDossiers && (d == "SCAN r" || strings.HasPrefix(d, "SCAN r ") || d == "SCAN fl" || strings.HasPrefix(d, "SCAN fl ")) {
			return fmt.Errorf("scans rollups: %q", d)
		}
		if strings.HasPrefix(d, "SEARCH ") && strings.Contains(d, " INDEX ") {
			searched = true
		}
	}
	if !searched && r != noDossiers {
		return fmt.Errorf("no index search in %v", details)
	}
	return nil
}
