// Package importer moves a province's history in from an older system
// (docs/openapi.yaml): NDJSON streams of procedures, dossiers or feedback items, one
// JSON object a line. Each line is validated on its own — its fields by the
// same rules as the live system, its times in order and consistent with its
// status, its procedure and units known — good lines are stored in batches,
// one transaction a batch, bad lines are reported with their line number,
// and a line whose code already exists is skipped as a duplicate, so that
// importing the same file twice changes nothing. The stream is read line by
// line with a bounded buffer: memory does not grow with the file.
package importer

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/feedback"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

// Kind is what a stream holds.
type Kind string

// The kinds of POST /api/v1/imports/{kind}.
const (
	Dossiers   Kind = "dossiers"
	Feedback   Kind = "feedback"
	Procedures Kind = "procedures"
)

// Kinds lists every kind.
var Kinds = []Kind{Dossiers, Feedback, Procedures}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == Dossiers || k == Feedback || k == Procedures }

// Limits of one import run.
const (
	// MaxLineBytes is the longest line accepted; a longer line is reported
	// as bad and skipped without being held in memory.
	MaxLineBytes = 1 << 20
	// MaxReported is how many bad lines the answer lists (docs/openapi.yaml); the
	// others are only counted.
	MaxReported = 1000
	// BatchSize is how many good lines are stored in one transaction.
	BatchSize = 1000
	// maxMessage bounds the text reported for one bad line, in characters.
	maxMessage = 2000
	// maxNegative bounds the unknown procedure codes remembered in a run,
	// so that a file of made-up codes cannot grow memory.
	maxNegative = 10000
)

// ImportedBy is the by_user of every history entry an import writes.
const ImportedBy = "import"

// LineError is a bad line: its number (from 1) and its problems joined.
type LineError struct {
	Line  int64
	Error string
}

// Result is what an import did.
type Result struct {
	// Lines is the number of lines read (blank ones included).
	Lines int64
	// Imported is the number of lines stored.
	Imported int64
	// SkippedDuplicates is the number of good lines skipped because their
	// code existed (in the database or earlier in the stream).
	SkippedDuplicates int64
	// Errors are the first MaxReported bad lines.
	Errors []LineError
	// ErrorLines is the number of all bad lines.
	ErrorLines int64
}

// Progress is a snapshot of a running import, for progress displays.
type Progress struct {
	Lines, Imported, Duplicates, Errors int64
}

// Stored is what a Store did with a batch.
type Stored struct {
	// Imported is the number of records inserted.
	Imported int
	// Duplicates is the number of records skipped because their code exists.
	Duplicates int
}

// DossierRecord is a good dossier line: the dossier as it will be stored
// and its history, oldest first (DossierID is set by the Store).
type DossierRecord struct {
	Line    int64
	Dossier dossier.Dossier
	History []dossier.Entry
}

// FeedbackRecord is a good feedback line: the item and its history.
type FeedbackRecord struct {
	Line     int64
	Feedback feedback.Feedback
	History  []feedback.Entry
}

// ProcedureRecord is a good procedure line: the procedure with its
// publications and fee lines, and the line's components in its order.
type ProcedureRecord struct {
	Line      int64
	Procedure catalog.Procedure
	// Components are the line's components (retired ones included, IDs
	// unset), for a new procedure and for one that exists.
	Components []catalog.Component
	// ComponentsGiven and FeeLinesGiven say that the line carries
	// components and fee_lines, and that no earlier line of the stream had
	// the same code: only then are they brought to a procedure that exists.
	ComponentsGiven, FeeLinesGiven bool
}

// Store keeps imported records. Each call is one transaction: either every
// record it inserts is stored whole (with its history or publications), or
// nothing of the call is, and it returns an error.
type Store interface {
	// ImportDossiers inserts the dossiers whose code does not exist yet,
	// with their history, and counts the others as duplicates.
	ImportDossiers(ctx context.Context, recs []DossierRecord) (Stored, error)
	// ImportFeedback inserts the items whose code does not exist yet, with
	// their history, and counts the others as duplicates.
	ImportFeedback(ctx context.Context, recs []FeedbackRecord) (Stored, error)
	// ImportProcedures inserts the procedures whose code does not exist
	// yet, with their publications, fee lines and components. A procedure
	// that exists keeps its fields and publications; when its record
	// carries components (ComponentsGiven) they are brought to the record's
	// list (catalog.SyncComponents), and when it carries fee lines
	// (FeeLinesGiven) they replace the stored ones, the fee becoming their
	// sum (an empty list removes them and keeps the fee). Such a record
	// counts as imported when that changed anything, else as a duplicate.
	ImportProcedures(ctx context.Context, recs []ProcedureRecord) (Stored, error)
}

// Catalog is what an import reads of the catalog. *catalog.Service
// implements it.
type Catalog interface {
	Tree(ctx context.Context) (*catalog.Tree, error)
	Calendar(ctx context.Context) (*worktime.Calendar, error)
	Procedure(ctx context.Context, code string) (catalog.Procedure, error)
	Location() *time.Location
}

// Service runs imports.
type Service struct {
	store  Store
	cat    Catalog
	hashID func(string) string
	now    func() time.Time
	nfc    func([]byte) []byte
}

// NewService returns an import service. hashID is the keyed hash of an
// applicant's ID number, the same as registration uses
// (dossier.Service.HashIDNumber), so that citizens find imported dossiers
// by ID number.
func NewService(store Store, cat Catalog, hashID func(string) string, now func() time.Time) *Service {
	return &Service{store: store, cat: cat, hashID: hashID, now: now}
}

// NormalizeText sets the normalisation (NFC in production) applied to each
// line before it is read, so that imported text compares and counts as
// typed text does; nil leaves lines as they are.
func (s *Service) NormalizeText(nfc func([]byte) []byte) { s.nfc = nfc }

// Import reads the NDJSON stream r of kind and stores its good lines. It
// returns ErrForbidden unless by is an admin, KindNotFound for an unknown
// kind. Bad lines are not errors: they are in the Result. An error reading r,
// a cancelled ctx or a database that fails whole batches stops the import
// with an error; the Result then says what was stored before (complete
// lines only, so importing the stream again finishes the work). progress,
// when not nil, is called after every batch and every BatchSize lines,
// always from the calling goroutine. The next batch is parsed while the
// last one is being stored; Import returns only when nothing is left
// running.
func (s *Service) Import(ctx context.Context, by user.Principal, kind Kind, r io.Reader, progress func(Progress)) (Result, error) {
	if err := by.RequireRole(user.RoleAdmin); err != nil {
		return Result{}, err
	}
	rn, err := s.newRun(ctx)
	if err != nil {
		return Result{}, err
	}
	switch kind {
	case Dossiers:
		return pump(ctx, r, progress, normalized(s.nfc, rn.dossier), s.store.ImportDossiers, func(d DossierRecord) int64 { return d.Line })
	case Feedback:
		return pump(ctx, r, progress, normalized(s.nfc, rn.feedback), s.store.ImportFeedback, func(f FeedbackRecord) int64 { return f.Line })
	case Procedures:
		res, err := pump(ctx, r, progress, normalized(s.nfc, rn.procedure), s.store.ImportProcedures, func(p ProcedureRecord) int64 { return p.Line })
		// The catalogue's caches (names, the tree, registration's rows)
		// must not outlive what the import changed.
		if inv, ok := s.cat.(interface{ Invalidate() }); ok {
			inv.Invalidate()
		}
		return res, err
	}
	return Result{}, domain.NotFound("loại dữ liệu nhập")
}

// problems are the problems of one line, by field ("" for the line as a
// whole).
type problems map[string]string

// add records reason for field, keeping the first.
func (p problems) add(field, reason string) {
	if _, ok := p[field]; !ok {
		p[field] = reason
	}
}

// merge adds the field errors of a domain validation.
func (p problems) merge(fe domain.FieldErrors) {
	for k, v := range fe {
		p.add(k, v)
	}
}

// String joins the problems, the line's own first and then by field name:
// "received_at: bắt buộc với trạng thái resolved; outcome: …".
func (p problems) String() string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		if k == "" {
			parts = append(parts, p[k])
			continue
		}
		parts = append(parts, k+": "+p[k])
	}
	msg := strings.Join(parts, "; ")
	if utf8.RuneCountInString(msg) > maxMessage {
		msg = string([]rune(msg)[:maxMessage]) + "…"
	}
	return msg
}

// run holds what one import reads of the catalog, loaded once (the agency
// tree and the calendar) or on first use (procedures). It serves one
// goroutine.
type run struct {
	s    *Service
	tree *catalog.Tree
	cal  *worktime.Calendar
	loc  *time.Location
	now  time.Time

	procs   map[string]catalog.Procedure
	unknown map[string]struct{}
	// procLines are the procedure codes of the lines read so far (at most
	// maxNegative), so that a later line of the same code brings nothing to
	// an existing procedure.
	procLines map[string]struct{}
}

func (s *Service) newRun(ctx context.Context) (*run, error) {
	tree, err := s.cat.Tree(ctx)
	if err != nil {
		return nil, fmt.Errorf("load agency tree: %w", err)
	}
	cal, err := s.cat.Calendar(ctx)
	if err != nil {
		return nil, fmt.Errorf("load calendar: %w", err)
	}
	return &run{s: s, tree: tree, cal: cal, loc: s.cat.Location(), now: s.now().UTC(),
		procs: map[string]catalog.Procedure{}, unknown: map[string]struct{}{}, procLines: map[string]struct{}{}}, nil
}

// lookupProcedure returns the procedure code and whether it exists, from the
// run's cache or the catalog.
func (rn *run) lookupProcedure(ctx context.Context, code string) (catalog.Procedure, bool, error) {
	p, ok := rn.procs[code]
	_, miss := rn.unknown[code]
	if ok {
		return p, true, nil
	}
	if miss {
		return catalog.Procedure{}, false, nil
	}
	p, err := rn.s.cat.Procedure(ctx, code)
	switch {
	case domain.KindOf(err) == domain.KindNotFound:
		if len(rn.unknown) < maxNegative {
			rn.unknown[code] = struct{}{}
		}
		return catalog.Procedure{}, false, nil
	case err != nil:
		return catalog.Procedure{}, false, fmt.Errorf("load procedure: %w", err)
	}
	p.Publications = nil
	rn.procs[code] = p
	return p, true, nil
}
