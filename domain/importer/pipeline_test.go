package importer_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/importer"
)

// hookStore is a fakeStore whose dossier calls first run before (in the
// importer's store goroutine): it may block, fail or panic. It records
// whether two calls ever ran at once.
type hookStore struct {
	*fakeStore
	before  func(ctx context.Context, call int) error
	inside  atomic.Int32
	overlap atomic.Bool
}

func (h *hookStore) ImportDossiers(ctx context.Context, recs []importer.DossierRecord) (importer.Stored, error) {
	if h.inside.Add(1) > 1 {
		h.overlap.Store(true)
	}
	defer h.inside.Add(-1)
	if h.before != nil {
		if err := h.before(ctx, h.calls+1); err != nil {
			h.calls++
			return importer.Stored{}, err
		}
	}
	return h.fakeStore.ImportDossiers(ctx, recs)
}

func hookService(st *hookStore) *importer.Service {
	return importer.NewService(st, newCatalog(), hashID, func() time.Time { return now })
}

// dossierLines returns n good dossier lines coded prefix00000….
func dossierLines(t testing.TB, prefix string, n int) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(ndjson(t, dossierLine(fmt.Sprintf("%s%05d", prefix, i), dossier.Received)))
	}
	return b.String()
}

// importAsync runs an import in a goroutine of the bubble; its outcome
// arrives on the returned channel.
type outcome struct {
	res      importer.Result
	err      error
	panicked any
}

func importAsync(ctx context.Context, svc *importer.Service, r io.Reader, progress func(importer.Progress)) <-chan outcome {
	out := make(chan outcome, 1)
	go func() {
		var o outcome
		defer func() {
			o.panicked = recover()
			out <- o
		}()
		o.res, o.err = svc.Import(ctx, admin, importer.Dossiers, r, progress)
	}()
	return out
}

// TestPipelineOverlapsParseAndStore: while the store holds batch 1, the
// next batch is parsed, and no more: parsing then waits (two batches at
// most in memory). Batches are stored one at a time, in stream order.
func TestPipelineOverlapsParseAndStore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		st := &hookStore{fakeStore: newStore(), before: func(_ context.Context, call int) error {
			if call == 1 {
				<-release
			}
			return nil
		}}
		var maxLines atomic.Int64
		n := 3*importer.BatchSize + 10
		done := importAsync(context.Background(), hookService(st),
			strings.NewReader(dossierLines(t, "O", n)), func(p importer.Progress) {
				if p.Lines > maxLines.Load() {
					maxLines.Store(p.Lines)
				}
			})
		synctest.Wait() // the store holds batch 1; the parser is wherever it has to stop
		if got := maxLines.Load(); got != 2*importer.BatchSize {
			t.Errorf("while batch 1 was being stored the parser reached line %d, want %d (batch 2 parsed, batch 3 not started)",
				got, 2*importer.BatchSize)
		}
		close(release)
		o := <-done
		if o.err != nil || o.res.Imported != int64(n) || o.res.Lines != int64(n) {
			t.Fatalf("import: %v %+v", o.err, o.res)
		}
		if !slices.Equal(st.batches, []int{importer.BatchSize, importer.BatchSize, importer.BatchSize, 10}) {
			t.Errorf("batches %v", st.batches)
		}
		for i, d := range st.dossiers {
			if want := fmt.Sprintf("O%05d", i); d.Dossier.Code != want {
				t.Fatalf("stored[%d] = %s, want %s (stream order)", i, d.Dossier.Code, want)
			}
		}
		if st.overlap.Load() {
			t.Error("two store calls ran at once")
		}
	})
}

// TestPipelineErrorsInLineOrder: a line the store refuses (found late, when
// its batch is stored) is reported in line order among the bad lines the
// parser found meanwhile, and is kept among the first MaxReported.
func TestPipelineErrorsInLineOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		st := &hookStore{fakeStore: newStore(), before: func(_ context.Context, call int) error {
			if call == 1 {
				<-release
			}
			return nil
		}}
		st.poison["E00998"] = &domain.Error{Kind: domain.KindValidation, Message: "Dữ liệu tham chiếu không tồn tại"}
		body := dossierLines(t, "E", importer.BatchSize) + strings.Repeat("nope\n", importer.MaxReported+10)
		done := importAsync(context.Background(), hookService(st), strings.NewReader(body), nil)
		synctest.Wait() // every bad line is parsed before batch 1 is stored
		close(release)
		o := <-done
		r := o.res
		if o.err != nil || r.Imported != importer.BatchSize-1 || r.ErrorLines != int64(importer.MaxReported+11) ||
			len(r.Errors) != importer.MaxReported {
			t.Fatalf("import: %v imported %d, errors %d/%d", o.err, r.Imported, len(r.Errors), r.ErrorLines)
		}
		if r.Errors[0].Line != 999 || !strings.Contains(r.Errors[0].Error, "Dữ liệu tham chiếu") {
			t.Errorf("first error %+v, want line 999 refused by the store", r.Errors[0])
		}
		if !slices.IsSortedFunc(r.Errors, func(a, b importer.LineError) int { return int(a.Line - b.Line) }) {
			t.Error("errors are not in line order")
		}
		if last := r.Errors[len(r.Errors)-1].Line; last != int64(importer.BatchSize+importer.MaxReported-1) {
			t.Errorf("last reported line %d", last)
		}
	})
}

// brokenCatalog fails to read one procedure.
type brokenCatalog struct {
	*fakeCatalog
	broken string
}

func (c *brokenCatalog) Procedure(ctx context.Context, code string) (catalog.Procedure, error) {
	if code == c.broken {
		return catalog.Procedure{}, errors.New("catalog is gone")
	}
	return c.fakeCatalog.Procedure(ctx, code)
}

// cancelReader cancels a context once its data is read, then goes on
// serving more data.
type cancelReader struct {
	r      io.Reader
	cancel context.CancelFunc
	more   io.Reader
}

func (c *cancelReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if errors.Is(err, io.EOF) && c.cancel != nil {
		c.cancel()
		c.cancel = nil
		c.r = c.more
		err = nil
	}
	return n, err
}

// TestPipelineStopsCleanly: whatever stops an import mid-stream — a store
// that fails for good, a store that panics, a cancelled context (while a
// batch is being stored or parsed), a parser or reader failing while a
// batch is being stored — Import returns without deadlock, the batch
// being stored is waited for and counted, nothing is stored after, and no
// goroutine is left (synctest.Test fails on a goroutine still blocked when
// the test ends).
func TestPipelineStopsCleanly(t *testing.T) {
	const B = importer.BatchSize
	boom := errors.New("connection reset")
	cases := []struct {
		name    string
		body    func(t *testing.T, cancel context.CancelFunc) io.Reader
		before  func(ctx context.Context, call int, cancel context.CancelFunc, release <-chan struct{}) error
		cat     func() importer.Catalog
		check   func(t *testing.T, o outcome, st *hookStore)
		release bool // release call 1 only after the importer is blocked
	}{
		{name: "store fails for good after two batches",
			body: func(t *testing.T, _ context.CancelFunc) io.Reader {
				return strings.NewReader(dossierLines(t, "F", 5*B))
			},
			before: func(_ context.Context, call int, _ context.CancelFunc, _ <-chan struct{}) error {
				if call > 2 {
					return errors.New("database is gone")
				}
				return nil
			},
			check: func(t *testing.T, o outcome, st *hookStore) {
				if domain.KindOf(o.err) != domain.KindInternal || o.res.Imported != 2*B || o.res.ErrorLines != B ||
					o.res.Errors[0].Line != 2*B+1 {
					t.Errorf("err %v, imported %d, bad lines %d", o.err, o.res.Imported, o.res.ErrorLines)
				}
				if st.calls != 2+1+B { // two batches, the third whole, then line by line; nothing after
					t.Errorf("%d store calls", st.calls)
				}
			}},
		{name: "store panics",
			body: func(t *testing.T, _ context.CancelFunc) io.Reader {
				return strings.NewReader(dossierLines(t, "X", 3*B))
			},
			before: func(_ context.Context, call int, _ context.CancelFunc, _ <-chan struct{}) error {
				if call == 2 {
					panic("store bug")
				}
				return nil
			},
			check: func(t *testing.T, o outcome, st *hookStore) {
				if o.panicked != "store bug" {
					t.Errorf("panic %v, err %v: the store's panic must reach Import's caller", o.panicked, o.err)
				}
			}},
		{name: "ctx cancelled while a batch is stored",
			body: func(t *testing.T, _ context.CancelFunc) io.Reader {
				return strings.NewReader(dossierLines(t, "C", 5*B))
			},
			before: func(ctx context.Context, call int, cancel context.CancelFunc, _ <-chan struct{}) error {
				if call == 2 {
					cancel()
					<-ctx.Done() // a database call gives up
					return ctx.Err()
				}
				return nil
			},
			check: func(t *testing.T, o outcome, st *hookStore) {
				if !errors.Is(o.err, context.Canceled) || o.res.Imported != B || len(st.dossiers) != B || st.calls != 2 {
					t.Errorf("err %v, result %+v, stored %d, calls %d", o.err, o.res, len(st.dossiers), st.calls)
				}
			}},
		{name: "ctx cancelled while parsing",
			body: func(t *testing.T, cancel context.CancelFunc) io.Reader {
				return &cancelReader{r: strings.NewReader(dossierLines(t, "P", B+B/2)), cancel: cancel,
					more: strings.NewReader(dossierLines(t, "Q", 3*B))}
			},
			before: func(ctx context.Context, call int, _ context.CancelFunc, release <-chan struct{}) error {
				if call == 1 {
					<-release // the parser meets the cancelled context meanwhile
					return nil
				}
				return ctx.Err()
			},
			release: true,
			check: func(t *testing.T, o outcome, st *hookStore) {
				if !errors.Is(o.err, context.Canceled) || o.res.Imported != B || len(st.dossiers) != B {
					t.Errorf("err %v, result %+v, stored %d", o.err, o.res, len(st.dossiers))
				}
			}},
		{name: "parser fails while a batch is stored",
			body: func(t *testing.T, _ context.CancelFunc) io.Reader {
				return strings.NewReader(dossierLines(t, "K", B+B/2) + ndjson(t, with(dossierLine("BROKEN", dossier.Received),
					"procedure_code", procHours)) + dossierLines(t, "L", B))
			},
			cat: func() importer.Catalog { return &brokenCatalog{fakeCatalog: newCatalog(), broken: procHours} },
			before: func(_ context.Context, call int, _ context.CancelFunc, release <-chan struct{}) error {
				if call == 1 {
					<-release
				}
				return nil
			},
			release: true,
			check: func(t *testing.T, o outcome, st *hookStore) {
				if o.err == nil || !strings.Contains(o.err.Error(), "catalog is gone") || o.res.Imported != B || st.calls != 1 {
					t.Errorf("err %v, result %+v, calls %d", o.err, o.res, st.calls)
				}
			}},
		{name: "read error while a batch is stored",
			body: func(t *testing.T, _ context.CancelFunc) io.Reader {
				body := dossierLines(t, "R", B+B/2)
				return &errReader{r: strings.NewReader(body + body[:40]), err: boom}
			},
			before: func(_ context.Context, call int, _ context.CancelFunc, release <-chan struct{}) error {
				if call == 1 {
					<-release
				}
				return nil
			},
			release: true,
			check: func(t *testing.T, o outcome, st *hookStore) {
				if !errors.Is(o.err, boom) || o.res.Imported != B+B/2 || len(st.dossiers) != B+B/2 {
					t.Errorf("err %v, result %+v, stored %d", o.err, o.res, len(st.dossiers))
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				release := make(chan struct{})
				st := &hookStore{fakeStore: newStore()}
				st.before = func(ctx context.Context, call int) error { return c.before(ctx, call, cancel, release) }
				var cat importer.Catalog = newCatalog()
				if c.cat != nil {
					cat = c.cat()
				}
				svc := importer.NewService(st, cat, hashID, func() time.Time { return now })
				done := importAsync(ctx, svc, c.body(t, cancel), nil)
				if c.release {
					synctest.Wait() // the parser stopped while batch 1 is held
					close(release)
				}
				o := <-done
				c.check(t, o, st)
				if st.overlap.Load() {
					t.Error("two store calls ran at once")
				}
			})
		})
	}
}
