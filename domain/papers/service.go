package papers

import (
	"context"
	"fmt"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/user"
)

// Dossiers is what the papers read of dossiers. *dossier.Service
// implements it.
type Dossiers interface {
	// Get returns a dossier with its history inside by's scope
	// (KindNotFound outside it).
	Get(ctx context.Context, by user.Principal, code string) (dossier.Dossier, error)
	List(ctx context.Context, by user.Principal, f dossier.Filter) ([]dossier.Dossier, int64, error)
	PinMatches(d dossier.Dossier, pin string) bool
}

// Catalog is what the papers read of the catalog. *catalog.Service
// implements it.
type Catalog interface {
	Tree(ctx context.Context) (*catalog.Tree, error)
	Agency(ctx context.Context, code string) (catalog.Agency, error)
	Procedure(ctx context.Context, code string) (catalog.Procedure, error)
}

// Users names staff on the papers. *user.Service implements it.
type Users interface {
	DisplayName(ctx context.Context, username string) (string, error)
}

// Config is the service's setting.
type Config struct {
	// PublicURL is the base of the citizen's lookup address (may be empty).
	PublicURL string
	// CutoffDay shapes month periods of the tracking book as statistics do.
	CutoffDay int
	Location  *time.Location
	Now       func() time.Time
}

// Service gathers and checks what each paper needs and renders it.
type Service struct {
	dossiers Dossiers
	cat      Catalog
	users    Users
	render   Renderer
	cfg      Config
}

// NewService returns the papers service.
func NewService(d Dossiers, cat Catalog, users Users, r Renderer, cfg Config) *Service {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{dossiers: d, cat: cat, users: users, render: r, cfg: cfg}
}

// The roles that may print each paper.
var (
	staffRoles   = []user.Role{user.RoleClerk, user.RoleOfficer, user.RoleLeader, user.RoleAdmin}
	counterRoles = []user.Role{user.RoleClerk, user.RoleLeader, user.RoleAdmin}
	slipRoles    = []user.Role{user.RoleClerk, user.RoleOfficer, user.RoleLeader, user.RoleAdmin, user.RoleViewer}
	bookRoles    = []user.Role{user.RoleClerk, user.RoleLeader, user.RoleAdmin, user.RoleViewer}
)

func wrongState(msg string) error {
	return &domain.Error{Kind: domain.KindInvalidTransition, Message: msg}
}

// errPin is the one answer to a PIN that is not the dossier's.
var errPin = domain.FieldErrors{"pin": "không đúng"}.Err()

// paper is the work shared by the dossier papers: the role, the dossier in
// scope with its history, its procedure and its units' names.
type paper struct {
	d      dossier.Dossier
	proc   catalog.Procedure
	tree   *catalog.Tree
	names  map[string]string // agency code → name
	people map[string]string // username → name
	loc    *time.Location
}

func (s *Service) load(ctx context.Context, by user.Principal, code string, roles []user.Role) (*paper, error) {
	if err := by.RequireRole(roles...); err != nil {
		return nil, err
	}
	d, err := s.dossiers.Get(ctx, by, code)
	if err != nil {
		return nil, err
	}
	p := &paper{d: d, names: map[string]string{}, people: map[string]string{}, loc: s.cfg.Location}
	if p.proc, err = s.cat.Procedure(ctx, d.ProcedureCode); err != nil && domain.KindOf(err) != domain.KindNotFound {
		return nil, fmt.Errorf("paper procedure: %w", err)
	}
	if p.proc.Code == "" {
		p.proc = catalog.Procedure{Code: d.ProcedureCode, Name: d.ProcedureCode}
	}
	if p.tree, err = s.cat.Tree(ctx); err != nil {
		return nil, fmt.Errorf("paper tree: %w", err)
	}
	return p, nil
}

// agency returns the name of code ("" for "").
func (s *Service) agency(ctx context.Context, p *paper, code string) (catalog.Agency, error) {
	if code == "" {
		return catalog.Agency{}, nil
	}
	a, err := s.cat.Agency(ctx, code)
	if err != nil {
		if domain.KindOf(err) == domain.KindNotFound {
			return catalog.Agency{Code: code, Name: code}, nil
		}
		return catalog.Agency{}, fmt.Errorf("paper agency: %w", err)
	}
	return a, nil
}

func (s *Service) agencyName(ctx context.Context, p *paper, code string) (string, error) {
	if n, ok := p.names[code]; ok {
		return n, nil
	}
	a, err := s.agency(ctx, p, code)
	if err != nil {
		return "", err
	}
	p.names[code] = a.Name
	return a.Name, nil
}

func (s *Service) person(ctx context.Context, p *paper, username string) (string, error) {
	if n, ok := p.people[username]; ok {
		return n, nil
	}
	n, err := s.users.DisplayName(ctx, username)
	if err != nil {
		return "", fmt.Errorf("paper user: %w", err)
	}
	p.people[username] = n
	return n, nil
}

// heading builds the top of a paper issued by unit about what began at
// began, dated on.
func (s *Service) heading(ctx context.Context, kind Kind, unitCode, code string, began, on time.Time, tree *catalog.Tree, p *paper) (Heading, error) {
	loc := s.cfg.Location
	h := Heading{Form: FormOf(kind, began, loc), Code: code}
	unit, err := s.agency(ctx, p, unitCode)
	if err != nil {
		return Heading{}, err
	}
	h.Unit = unit.Name
	if unit.ParentCode != "" {
		parent, err := s.agency(ctx, p, unit.ParentCode)
		if err != nil {
			return Heading{}, err
		}
		h.Parent = parent.Name
	}
	root, err := s.agency(ctx, p, tree.Root(unit.Code))
	if err != nil {
		return Heading{}, err
	}
	place := Place(root.Name)
	if place == "" {
		place = "……"
	}
	h.PlaceDate = place + ", " + LongDate(on.In(loc))
	printed := s.cfg.Now()
	h.PrintedAt, h.Printed = "In lúc "+LongTime(&printed, loc), printed
	if code != "" {
		h.LookupURL = dossier.LookupURL(s.cfg.PublicURL, code)
	}
	return h, nil
}

// began is when a dossier's paper trail began: its reception, or its
// submission when it was never received.
func began(d dossier.Dossier) time.Time {
	if d.ReceivedAt != nil {
		return *d.ReceivedAt
	}
	return d.SubmittedAt
}

// latest returns the last history entry of d with action a.
func latest(d dossier.Dossier, a dossier.Action) (dossier.Entry, bool) {
	for i := len(d.History) - 1; i >= 0; i-- {
		if d.History[i].Action == a {
			return d.History[i], true
		}
	}
	return dossier.Entry{}, false
}

// detail is a string detail of e ("" when absent).
func detail(e dossier.Entry, key string) string {
	if v, ok := e.Details[key].(string); ok {
		return v
	}
	return ""
}

// details is a list-of-strings detail of e (as written, or as read back
// from JSON).
func details(e dossier.Entry, key string) []string {
	switch v := e.Details[key].(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// parseDetailTime reads an RFC 3339 detail of e; nil when absent or bad.
func parseDetailTime(e dossier.Entry, key string) *time.Time {
	t, err := time.Parse(time.RFC3339, detail(e, key))
	if err != nil {
		return nil
	}
	return &t
}
