package repository

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

var t0 = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

func testAgency(code, parent string) catalog.Agency {
	return catalog.Agency{Code: code, Name: "Đơn vị " + code, Kind: catalog.KindDepartment, ParentCode: parent, CreatedAt: t0, UpdatedAt: t0}
}

func testProcedure(code, agency string) catalog.Procedure {
	return catalog.Procedure{Code: code, Name: "Thủ tục " + code, Field: "Hộ tịch", AgencyCode: agency, Level: catalog.LevelProvince,
		ProcessingTime: worktime.Duration{Value: 5, Unit: worktime.WorkingDays}, Fee: 10000, OnlineLevel: catalog.OnlineFull,
		Status: catalog.StatusActive, CreatedAt: t0, UpdatedAt: t0}
}

func wantKind(t *testing.T, what string, err error, k domain.Kind) {
	t.Helper()
	if got := domain.KindOf(err); got != k {
		t.Fatalf("%s: kind %v (%v), want %v", what, got, err, k)
	}
	var de *domain.Error
	if errors.As(err, &de) && (de.Message == "" || strings.Contains(strings.ToUpper(de.Message), "INSERT") ||
		strings.Contains(de.Message, "constraint")) {
		t.Fatalf("%s: the message must be for users, not SQL: %q", what, de.Message)
	}
}

// TestDuplicateInsertIsConflict runs on whichever engine OpenTest gives:
// SQLite by default, PostgreSQL under .ci/with-postgres (make test runs both).
func TestDuplicateInsertIsConflict(t *testing.T) {
	db := OpenTest(t)
	ctx := context.Background()
	cs, us := NewCatalogStore(db), NewUserStore(db)
	if err := cs.CreateAgency(ctx, testAgency("P", "")); err != nil {
		t.Fatal(err)
	}
	err := cs.CreateAgency(ctx, testAgency("P", ""))
	wantKind(t, "duplicate agency", err, domain.KindConflict)

	if err := cs.CreateProcedure(ctx, testProcedure("1.000001", "P")); err != nil {
		t.Fatal(err)
	}
	wantKind(t, "duplicate procedure", cs.CreateProcedure(ctx, testProcedure("1.000001", "P")), domain.KindConflict)

	u := user.User{Username: "clerk.p", Role: user.RoleClerk, Unit: "P", PasswordHash: "x", CreatedAt: t0, UpdatedAt: t0}
	if err := us.Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	wantKind(t, "duplicate user", us.Create(ctx, u), domain.KindConflict)

	// The failed inserts changed nothing.
	if n, err := us.Count(ctx); err != nil || n != 1 {
		t.Fatalf("users after a duplicate: %d %v", n, err)
	}
	_, total, err := cs.ListProcedures(ctx, catalog.ProcedureFilter{Page: domain.Page{Page: 1, PageSize: 10}})
	if err != nil || total != 1 {
		t.Fatalf("procedures after a duplicate: %d %v", total, err)
	}
}

func TestReferencesAreChecked(t *testing.T) {
	db := OpenTest(t)
	ctx := context.Background()
	cs, us := NewCatalogStore(db), NewUserStore(db)
	// Foreign keys are on for SQLite too: an unknown parent, agency or unit
	// is refused by the database (the services check first; this is the net).
	wantKind(t, "agency with unknown parent", cs.CreateAgency(ctx, testAgency("C", "nowhere")), domain.KindValidation)
	wantKind(t, "procedure of unknown agency", cs.CreateProcedure(ctx, testProcedure("1.000002", "nowhere")), domain.KindValidation)
	wantKind(t, "user of unknown unit", us.Create(ctx, user.User{Username: "u1", Role: user.RoleClerk, Unit: "nowhere",
		PasswordHash: "x", CreatedAt: t0, UpdatedAt: t0}), domain.KindValidation)
}

func TestNotFound(t *testing.T) {
	db := OpenTest(t)
	ctx := context.Background()
	cs, us := NewCatalogStore(db), NewUserStore(db)
	_, err := cs.Agency(ctx, "nope")
	wantKind(t, "agency", err, domain.KindNotFound)
	wantKind(t, "update agency", cs.UpdateAgency(ctx, testAgency("nope", "")), domain.KindNotFound)
	_, err = cs.Procedure(ctx, "nope")
	wantKind(t, "procedure", err, domain.KindNotFound)
	wantKind(t, "update procedure", cs.UpdateProcedure(ctx, testProcedure("nope", "P")), domain.KindNotFound)
	_, err = us.User(ctx, "nope")
	wantKind(t, "user", err, domain.KindNotFound)
	wantKind(t, "update user", us.Update(ctx, user.User{Username: "nope"}), domain.KindNotFound)
	_, err = us.LockUser(ctx, "nope")
	wantKind(t, "lock user", err, domain.KindNotFound)
}

func TestRoundTrip(t *testing.T) {
	db := OpenTest(t)
	ctx := context.Background()
	cs, us := NewCatalogStore(db), NewUserStore(db)
	for _, a := range []catalog.Agency{testAgency("P", ""), testAgency("D", "P"), testAgency("A", "D")} {
		if err := cs.CreateAgency(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	got, err := cs.Agency(ctx, "A")
	if err != nil || !reflect.DeepEqual(got, testAgency("A", "D")) {
		t.Fatalf("agency round trip:\n got %+v\nwant %+v (%v)", got, testAgency("A", "D"), err)
	}
	moved := testAgency("A", "")
	moved.Closed, moved.UpdatedAt = true, t0.Add(time.Hour)
	if err := cs.UpdateAgency(ctx, moved); err != nil {
		t.Fatal(err)
	}
	if got, _ := cs.Agency(ctx, "A"); got.ParentCode != "" || !got.Closed || !got.UpdatedAt.Equal(moved.UpdatedAt) {
		t.Fatalf("agency update: %+v", got)
	}

	p := testProcedure("1.000003", "D")
	p.OnSpotEligible, p.NationalPortalIntegrated = true, true
	if err := cs.CreateProcedure(ctx, p); err != nil {
		t.Fatal(err)
	}
	pub := catalog.Publication{ProcedureCode: p.Code, Kind: catalog.PubNew, Decision: "602/QĐ-UBND",
		DecidedOn: worktime.MustParseDate("2021-05-26"), CreatedAt: t0}
	if err := cs.AddPublication(ctx, &pub); err != nil || pub.ID == 0 {
		t.Fatalf("publication: id %d, %v", pub.ID, err)
	}
	gp, err := cs.Procedure(ctx, p.Code)
	if err != nil {
		t.Fatal(err)
	}
	want := p
	want.Publications = []catalog.Publication{pub}
	if !reflect.DeepEqual(gp, want) {
		t.Fatalf("procedure round trip:\n got %+v\nwant %+v", gp, want)
	}

	u := user.User{Username: "leader.d", Name: "Lãnh đạo", Role: user.RoleLeader, Unit: "D", PasswordHash: "$2a$hash", CreatedAt: t0, UpdatedAt: t0}
	if err := us.Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	u.Disabled, u.Unit, u.UpdatedAt, u.TokenVersion = true, "", t0.Add(time.Minute), 1
	if err := us.InTx(ctx, func(tx user.Store) error {
		if err := tx.Update(ctx, u); err != nil {
			return err
		}
		return tx.BumpTokenVersion(ctx, u.Username)
	}); err != nil {
		t.Fatal(err)
	}
	if gu, err := us.User(ctx, "leader.d"); err != nil || !reflect.DeepEqual(gu, u) {
		t.Fatalf("user round trip:\n got %+v\nwant %+v (%v)", gu, u, err)
	}
}

func TestListFiltersAndLikeEscaping(t *testing.T) {
	db := OpenTest(t)
	ctx := context.Background()
	cs := NewCatalogStore(db)
	for _, a := range []catalog.Agency{testAgency("P", ""), testAgency("D", "P"), testAgency("A_1", "D"), testAgency("A21", "D")} {
		if err := cs.CreateAgency(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	list := func(f catalog.AgencyFilter) []string {
		t.Helper()
		f.Page = domain.Page{Page: 1, PageSize: 50}
		items, total, err := cs.ListAgencies(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if int(total) != len(items) {
			t.Fatalf("total %d, %d items", total, len(items))
		}
		var out []string
		for _, a := range items {
			out = append(out, a.Code)
		}
		sort.Strings(out)
		return out
	}
	if got := list(catalog.AgencyFilter{ParentCode: "D"}); !reflect.DeepEqual(got, []string{"A21", "A_1"}) {
		t.Fatalf("parent D: %v", got)
	}
	// "_" is a LIKE wildcard; the user means the character.
	if got := list(catalog.AgencyFilter{Q: "a_"}); !reflect.DeepEqual(got, []string{"A_1"}) {
		t.Fatalf("q=a_: %v", got)
	}
	if got := list(catalog.AgencyFilter{Q: "%"}); len(got) != 0 {
		t.Fatalf("q=%%: %v", got)
	}
	if got := list(catalog.AgencyFilter{Q: "vị d"}); !reflect.DeepEqual(got, []string{"D"}) {
		t.Fatalf("q=vị d: %v", got)
	}
	items, total, err := cs.ListAgencies(ctx, catalog.AgencyFilter{Page: domain.Page{Page: 2, PageSize: 3}})
	if err != nil || total != 4 || len(items) != 1 || items[0].Code != "P" {
		t.Fatalf("page 2 of 3: %v %d %v", items, total, err)
	}
}

func TestMigrationsInLockstep(t *testing.T) {
	pg, err := migrations("postgres")
	if err != nil {
		t.Fatal(err)
	}
	lite, err := migrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	if len(pg) == 0 {
		t.Fatal("no migrations")
	}
	names := func(ms []migration) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Name)
		}
		return out
	}
	if !reflect.DeepEqual(names(pg), names(lite)) {
		t.Fatalf("migration files differ:\npostgres %v\nsqlite   %v", names(pg), names(lite))
	}
	seen := map[int]string{}
	for i, m := range pg {
		if lite[i].Version != m.Version {
			t.Errorf("version %d (postgres) vs %d (sqlite) at %s", m.Version, lite[i].Version, m.Name)
		}
		if prev, dup := seen[m.Version]; dup {
			t.Errorf("version %d used twice: %s and %s", m.Version, prev, m.Name)
		}
		seen[m.Version] = m.Name
		if m.Version < 1 || (i > 0 && m.Version <= pg[i-1].Version) {
			t.Errorf("versions must be positive and ascending: %s", m.Name)
		}
	}
	// Every file in the folders is a migration the runner sees: nothing is
	// silently skipped for a bad name.
	for _, dialect := range []string{"postgres", "sqlite"} {
		entries, err := fs.ReadDir(migrationFiles, "migrations/"+dialect)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != len(pg) {
			t.Errorf("migrations/%s holds %d files, the runner uses %d", dialect, len(entries), len(pg))
		}
	}
}

func TestMigrateTwiceIsANoOp(t *testing.T) {
	db := OpenTest(t) // already migrated once
	ctx := context.Background()
	count := func() (n int64, max int) {
		t.Helper()
		if err := db.Raw("SELECT COUNT(*) FROM schema_migrations").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Raw("SELECT MAX(version) FROM schema_migrations").Scan(&max).Error; err != nil {
			t.Fatal(err)
		}
		return n, max
	}
	n1, max1 := count()
	list, _ := migrations(Dialect(db))
	if int(n1) != len(list) || max1 != list[len(list)-1].Version {
		t.Fatalf("after the first run: %d rows, max %d; want %d", n1, max1, len(list))
	}
	if err := NewCatalogStore(db).CreateAgency(ctx, testAgency("P", "")); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := Migrate(ctx, db); err != nil {
			t.Fatalf("migrate again: %v", err)
		}
	}
	if n2, max2 := count(); n2 != n1 || max2 != max1 {
		t.Fatalf("migrating again changed schema_migrations: %d/%d → %d/%d", n1, max1, n2, max2)
	}
	if _, err := NewCatalogStore(db).Agency(ctx, "P"); err != nil {
		t.Fatalf("data lost by a second migration: %v", err)
	}
}

func TestSeedCalendarsKeepsAdminChanges(t *testing.T) {
	db := OpenTest(t) // seeded once
	ctx := context.Background()
	cs := NewCatalogStore(db)
	years, err := cs.CalendarYears(ctx)
	if err != nil {
		t.Fatal(err)
	}
	files, err := OfficialCalendars()
	if err != nil {
		t.Fatal(err)
	}
	if len(years) != len(files) || len(years) < 7 || years[0].Year != 2021 {
		t.Fatalf("seeded %d years (first %v), shipped %d", len(years), years[0].Year, len(files))
	}
	var y2026 worktime.Year
	for _, y := range years {
		if y.Year == 2026 {
			y2026 = y
		}
	}
	if len(y2026.Holidays) == 0 {
		t.Fatal("2026 has no holidays")
	}
	changed := worktime.Year{Year: 2026, Holidays: []worktime.Date{worktime.MustParseDate("2026-12-31")},
		Sessions: []worktime.Session{{Start: worktime.NewClock(8, 0), End: worktime.NewClock(12, 0)}}}
	if err := cs.PutCalendarYear(ctx, changed); err != nil {
		t.Fatal(err)
	}
	if err := SeedCalendars(ctx, db); err != nil {
		t.Fatal(err)
	}
	years, err = cs.CalendarYears(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, y := range years {
		if y.Year == 2026 && !reflect.DeepEqual(y, changed) {
			t.Fatalf("seeding overwrote the admin's 2026:\n got %+v\nwant %+v", y, changed)
		}
	}
	if len(years) != len(files) {
		t.Fatalf("seeding twice: %d years, want %d", len(years), len(files))
	}
}

func TestDataKeyIsStable(t *testing.T) {
	db := OpenTest(t)
	ctx := context.Background()
	k1, created, err := DataKey(ctx, db)
	if err != nil || !created || len(k1) != 32 {
		t.Fatalf("first: %d bytes, created %v, %v", len(k1), created, err)
	}
	for i := 0; i < 3; i++ {
		k, created, err := DataKey(ctx, db)
		if err != nil || created || !bytes.Equal(k, k1) {
			t.Fatalf("call %d: created %v, same %v, %v", i+2, created, bytes.Equal(k, k1), err)
		}
	}
	other, _, err := DataKey(ctx, OpenTest(t))
	if err != nil || bytes.Equal(other, k1) {
		t.Fatalf("another database must get its own random key (%v)", err)
	}
}

// testSealer seals personal data under a fixed test key.
func testSealer(tb testing.TB) *Sealer {
	tb.Helper()
	s, err := NewSealer([]byte("repository-test-data-key-0123456789abcdef"), 1)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}
