package files

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/user"
)

// File is one paper or result of a dossier with its current version; a
// single file read also holds every version (Versions, oldest first).
type File struct {
	ID          int64
	DossierID   int64
	DossierCode string
	Kind        Kind
	// ComponentID names the procedure's component the paper is; nil for
	// other papers (giấy tờ khác) and for results.
	ComponentID   *int64
	ComponentName string
	Current       Version
	Versions      []Version
}

// Version is one stored content of a file. It never changes once stored.
type Version struct {
	Version     int
	Name        string
	ContentType string
	Size        int64
	SHA256      string
	// Digitised: scanned from paper at the counter; Reused: taken from the
	// citizen's electronic store or an earlier dossier; FromNationalDB:
	// taken from a national database.
	Digitised      bool
	Reused         bool
	FromNationalDB bool
	UploadedAt     time.Time
	UploadedBy     string
}

// Blob is an upload received in full into a temporary file: its digest,
// size and detected content type ("" when of no accepted type).
type Blob struct {
	Tmp         *os.File
	SHA256      string
	Size        int64
	ContentType string
}

// Receiver streams body into a temporary file of store, hashing it and
// detecting its type, and refuses an empty body or one over max bytes. On
// an error nothing of the body remains.
type Receiver func(ctx context.Context, store BlobStore, body io.Reader, max int64) (Blob, error)

// Store keeps the files' metadata.
type Store interface {
	// AddFile inserts f (with f.Current as version 1), sets f.ID, appends
	// e to the dossier's history with e.Details completed and marks the
	// dossier digitised or with an electronic result as f makes it, all
	// in one transaction.
	AddFile(ctx context.Context, f *File, e *dossier.Entry) error
	// AddVersion stores v as the next version of file f.ID (setting
	// v.Version), makes it current, appends e and marks the dossier, in
	// one transaction.
	AddVersion(ctx context.Context, f *File, v *Version, e *dossier.Entry) error
	// List returns the dossier's files with their current versions, oldest
	// file first, of kind and component when given.
	List(ctx context.Context, dossierID int64, kind Kind, componentID *int64) ([]File, error)
	// Get returns file id of the dossier with every version; KindNotFound
	// when the dossier has no such file.
	Get(ctx context.Context, dossierID, id int64) (File, error)
}

// Dossiers finds a dossier within a caller's scope (*dossier.Service).
type Dossiers interface {
	InScope(ctx context.Context, by user.Principal, code string) (dossier.Dossier, error)
	// WithPin returns the dossier when pin is its receipt's pin, else
	// dossier.ErrNoDossier (the lookup's lockout counts the failures).
	WithPin(ctx context.Context, code, pin string) (dossier.Dossier, error)
}

// Components says whether id is a component of the procedure and whether
// it is still active, with its name; KindNotFound when it is not one of
// the procedure's.
type Components interface {
	ComponentOf(ctx context.Context, procedureCode string, id int64) (name string, active bool, err error)
}

// Service runs the rules of a dossier's files: who may store what, when,
// of which type, and the versions.
type Service struct {
	store    Store
	blobs    BlobStore
	receive  Receiver
	dossiers Dossiers
	comps    Components
	max      int64
	now      func() time.Time
}

// NewService returns the files service storing contents of at most max
// bytes in blobs.
func NewService(store Store, blobs BlobStore, receive Receiver, dossiers Dossiers, comps Components, max int64,
	now func() time.Time) *Service {
	return &Service{store: store, blobs: blobs, receive: receive, dossiers: dossiers, comps: comps, max: max, now: now}
}

// MaxBytes is the largest content stored.
func (s *Service) MaxBytes() int64 { return s.max }

// Upload is what an upload asks: the file's name and, for a new file, its
// kind and component; the flags, nil when not given (their defaults are
// the rules'); the client's digest when given.
type Upload struct {
	Name           string
	Kind           Kind
	ComponentID    *int64
	Digitised      *bool
	Reused         *bool
	FromNationalDB *bool
	SHA256         string
}

// uploadStatuses are the dossier statuses a file of each kind may be
// stored in.
var uploadStatuses = map[Kind][]dossier.Status{
	KindComponent: {dossier.Submitted, dossier.Received, dossier.Processing, dossier.SupplementRequested,
		dossier.AwaitingPayment},
	KindResult: {dossier.Received, dossier.Processing, dossier.Resolved},
}

// uploaders are the roles that store files (either kind).
var uploaders = []user.Role{user.RoleClerk, user.RoleOfficer, user.RoleLeader}

// errTransition refuses an upload the dossier's status does not allow.
var errTransition = &domain.Error{Kind: domain.KindInvalidTransition,
	Message: "Trạng thái hiện tại của hồ sơ không cho phép tải tệp loại này lên"}

// Target is a dossier an upload was checked against before its body is
// read: Prepare's answer, Store's input.
type Target struct {
	by      user.Principal
	d       dossier.Dossier
	in      Upload
	file    *File // the file a new version is for; nil for a new file
	compNm  string
	version Version // the flags resolved
}

// Prepare makes every check that needs no body, so that a refused upload
// reads none of it: the dossier in by's scope, by's role, the dossier's
// status for the kind, the name, the component (by's role is checked
// before the dossier is looked at). fileID is the file a new
// version is for, 0 for a new file.
func (s *Service) Prepare(ctx context.Context, by user.Principal, code string, fileID int64, in Upload) (*Target, error) {
	// The role first: a role that may never upload learns nothing of
	// which dossiers exist.
	if !slices.Contains(uploaders, by.Role) {
		return nil, domain.ErrForbidden
	}
	d, err := s.dossiers.InScope(ctx, by, code)
	if err != nil {
		return nil, err
	}
	t := &Target{by: by, d: d, in: in}
	var prev *Version
	if fileID != 0 {
		f, err := s.store.Get(ctx, d.ID, fileID)
		if err != nil {
			return nil, err
		}
		f.DossierCode = d.Code
		t.file, t.in.Kind, t.in.ComponentID, t.compNm = &f, f.Kind, f.ComponentID, f.ComponentName
		prev = &f.Current
	}
	if t.in.Kind == "" {
		t.in.Kind = KindComponent
	}
	if !t.in.Kind.Valid() {
		return nil, domain.FieldErrors{FieldKind: "phải là component hoặc result"}.Err()
	}
	if !slices.Contains(uploadStatuses[t.in.Kind], d.Status) {
		return nil, errTransition
	}
	fe := domain.FieldErrors{}
	var bad *domain.Error
	if errors.As(CheckName(in.Name), &bad) {
		fe.Add(FieldName, bad.Fields[FieldName])
	}
	if fileID == 0 && in.ComponentID != nil {
		if t.in.Kind == KindResult {
			fe.Add("component_id", "không dùng với tệp kết quả")
		} else {
			name, active, err := s.comps.ComponentOf(ctx, d.ProcedureCode, *in.ComponentID)
			switch {
			case domain.KindOf(err) == domain.KindNotFound:
				fe.Add("component_id", "không phải thành phần hồ sơ của thủ tục này")
			case err != nil:
				return nil, fmt.Errorf("load component: %w", err)
			case !active:
				fe.Add("component_id", "thành phần hồ sơ đã ngừng áp dụng")
			default:
				t.compNm = name
			}
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	t.version = Version{Name: in.Name, Reused: flag(in.Reused, prev, func(v *Version) bool { return v.Reused }, false),
		FromNationalDB: flag(in.FromNationalDB, prev, func(v *Version) bool { return v.FromNationalDB }, false)}
	// A paper is taken as scanned at the counter unless it came in
	// electronic form; a new version keeps the previous one's flags.
	t.version.Digitised = flag(in.Digitised, prev, func(v *Version) bool { return v.Digitised },
		!t.version.Reused && !t.version.FromNationalDB)
	return t, nil
}

// flag is given when set, else the previous version's, else def.
func flag(given *bool, prev *Version, of func(*Version) bool, def bool) bool {
	switch {
	case given != nil:
		return *given
	case prev != nil:
		return of(prev)
	}
	return def
}

// Receive reads the upload's body into a temporary blob. The caller
// stores it with Store or drops it with Discard.
func (s *Service) Receive(ctx context.Context, body io.Reader) (Blob, error) {
	return s.receive(ctx, s.blobs, body, s.max)
}

// Discard drops a received blob that will not be stored.
func (s *Service) Discard(b Blob) {
	if b.Tmp != nil {
		s.blobs.Discard(b.Tmp)
	}
}

// Store checks the received blob against t (its type for the kind and the
// name, the client's digest) and stores it: a new file, or a new version
// of t's file. The blob is consumed whatever the outcome. It returns the
// file with the new version current.
func (s *Service) Store(ctx context.Context, t *Target, b Blob) (File, error) {
	stored := false
	defer func() {
		if !stored {
			s.Discard(b)
		}
	}()
	if err := CheckType(t.in.Kind, b.ContentType, t.in.Name); err != nil {
		return File{}, err
	}
	if t.in.SHA256 != "" && t.in.SHA256 != b.SHA256 {
		return File{}, domain.FieldErrors{"sha256": "không khớp với SHA-256 của nội dung đã gửi"}.Err()
	}
	stored = true // Put consumes the temporary file, stored or not
	if err := s.blobs.Put(ctx, b.Tmp, b.SHA256, b.Size); err != nil {
		return File{}, fmt.Errorf("store content: %w", err)
	}
	now := s.now().UTC()
	v := t.version
	v.ContentType, v.Size, v.SHA256, v.UploadedAt, v.UploadedBy = b.ContentType, b.Size, b.SHA256, now, t.by.Username
	e := &dossier.Entry{DossierID: t.d.ID, From: t.d.Status, To: t.d.Status, At: now, By: t.by.Username, Unit: t.by.Unit,
		Details: map[string]any{"kind": string(t.in.Kind), "sha256": v.SHA256, "size": v.Size}}
	if t.in.ComponentID != nil {
		e.Details["component_id"] = *t.in.ComponentID
	} else {
		e.Details["component_id"] = nil
	}
	if t.file == nil {
		v.Version = 1
		f := File{DossierID: t.d.ID, DossierCode: t.d.Code, Kind: t.in.Kind, ComponentID: t.in.ComponentID,
			ComponentName: t.compNm, Current: v}
		e.Action = dossier.ActAttachFile
		if err := s.store.AddFile(ctx, &f, e); err != nil {
			return File{}, fmt.Errorf("record file: %w", err)
		}
		return f, nil
	}
	f := *t.file
	e.Action = dossier.ActReplaceFile
	if err := s.store.AddVersion(ctx, &f, &v, e); err != nil {
		return File{}, fmt.Errorf("record version: %w", err)
	}
	f.Current = v
	f.Versions = append(f.Versions, v)
	return f, nil
}

// List returns the files of the dossier code in by's scope, oldest first,
// of kind and component when given.
func (s *Service) List(ctx context.Context, by user.Principal, code string, kind Kind, componentID *int64) ([]File, error) {
	if kind != "" && !kind.Valid() {
		return nil, domain.FieldErrors{FieldKind: "phải là component hoặc result"}.Err()
	}
	d, err := s.dossiers.InScope(ctx, by, code)
	if err != nil {
		return nil, err
	}
	list, err := s.store.List(ctx, d.ID, kind, componentID)
	for i := range list {
		list[i].DossierCode = d.Code
	}
	return list, err
}

// Get returns file id of the dossier code in by's scope with its versions.
func (s *Service) Get(ctx context.Context, by user.Principal, code string, id int64) (File, error) {
	d, err := s.dossiers.InScope(ctx, by, code)
	if err != nil {
		return File{}, err
	}
	f, err := s.store.Get(ctx, d.ID, id)
	f.DossierCode = d.Code
	return f, err
}

// Content opens version n (0: the current one) of file id of the dossier
// code in by's scope. The caller closes the reader.
func (s *Service) Content(ctx context.Context, by user.Principal, code string, id int64, n int) (Version, io.ReadSeekCloser, error) {
	f, err := s.Get(ctx, by, code, id)
	if err != nil {
		return Version{}, nil, err
	}
	return s.open(ctx, f, n)
}

// open opens version n (0: current) of f.
func (s *Service) open(ctx context.Context, f File, n int) (Version, io.ReadSeekCloser, error) {
	v := f.Current
	if n != 0 {
		i := slices.IndexFunc(f.Versions, func(v Version) bool { return v.Version == n })
		if i < 0 {
			return Version{}, nil, domain.NotFound("phiên bản tệp")
		}
		v = f.Versions[i]
	}
	r, _, err := s.blobs.Open(ctx, v.SHA256)
	if err != nil {
		return Version{}, nil, fmt.Errorf("open content of file %d: %w", f.ID, err)
	}
	return v, r, nil
}

// PublicResults returns the electronic results of the dossier code to the
// citizen holding its receipt's pin: the current versions of its result
// files, oldest first, once the dossier is returned, and none before (a
// resolved result may still wait for fees or the signed paper). A wrong
// pin or an unknown code is dossier.ErrNoDossier.
func (s *Service) PublicResults(ctx context.Context, code, pin string) ([]File, error) {
	d, err := s.dossiers.WithPin(ctx, code, pin)
	if err != nil {
		return nil, err
	}
	if d.Status != dossier.Returned || !d.EResult {
		return []File{}, nil
	}
	list, err := s.store.List(ctx, d.ID, KindResult, nil)
	for i := range list {
		list[i].DossierCode = d.Code
	}
	return list, err
}

// PublicResult opens the current version of result file id of the dossier
// code for the citizen holding its pin. Anything the pin does not open (a
// dossier not yet returned, a file that is not one of its results) is the
// same dossier.ErrNoDossier as an unknown code. The caller closes the
// reader.
func (s *Service) PublicResult(ctx context.Context, code, pin string, id int64) (Version, io.ReadSeekCloser, error) {
	d, err := s.dossiers.WithPin(ctx, code, pin)
	if err != nil {
		return Version{}, nil, err
	}
	if d.Status != dossier.Returned {
		return Version{}, nil, dossier.ErrNoDossier
	}
	f, err := s.store.Get(ctx, d.ID, id)
	if err != nil {
		if domain.KindOf(err) == domain.KindNotFound {
			return Version{}, nil, dossier.ErrNoDossier
		}
		return Version{}, nil, err
	}
	if f.Kind != KindResult {
		return Version{}, nil, dossier.ErrNoDossier
	}
	return s.open(ctx, f, 0)
}
