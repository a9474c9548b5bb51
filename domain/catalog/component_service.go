package catalog

import (
	"context"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/user"
)

// ComponentStore is the persistence of procedure components.
type ComponentStore interface {
	// Components lists the components of the procedure code by position,
	// then ID: the active ones, and the retired ones too with
	// includeRetired. It does not check that the procedure exists.
	Components(ctx context.Context, code string, includeRetired bool) ([]Component, error)
	// Component returns KindNotFound unless the procedure code has the
	// component id.
	Component(ctx context.Context, code string, id int64) (Component, error)
	// NextComponentPosition is one past the largest position among the
	// procedure's components, retired ones included (0 for none).
	NextComponentPosition(ctx context.Context, code string) (int, error)
	// CreateComponent stores c and sets its ID. It returns KindConflict when
	// the procedure has a component (retired or not) with c's code.
	CreateComponent(ctx context.Context, c *Component) error
	// UpdateComponent stores every field of c but its procedure and
	// creation time. It returns KindNotFound for an unknown component and
	// KindConflict for a code another component of the procedure has.
	UpdateComponent(ctx context.Context, c Component) error
}

// ProcedureDetail returns one procedure with its publications and its
// active components in order.
func (s *Service) ProcedureDetail(ctx context.Context, code string) (Procedure, error) {
	p, err := s.store.Procedure(ctx, code)
	if err != nil {
		return Procedure{}, err
	}
	return s.withComponents(ctx, p)
}

// withComponents is p with its active components loaded (none is an
// empty, non-nil list).
func (s *Service) withComponents(ctx context.Context, p Procedure) (Procedure, error) {
	cs, err := s.store.Components(ctx, p.Code, false)
	if err != nil {
		return Procedure{}, err
	}
	if cs == nil {
		cs = []Component{}
	}
	p.Components = cs
	return p, nil
}

// Components lists the components of the procedure code in order (by
// position, then ID): the active ones, the retired ones too with
// includeRetired. Any signed-in user may read them. Returns KindNotFound
// for an unknown procedure.
func (s *Service) Components(ctx context.Context, code string, includeRetired bool) ([]Component, error) {
	if _, err := s.ProcedureName(ctx, code); err != nil {
		return nil, err
	}
	cs, err := s.store.Components(ctx, code, includeRetired)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		cs = []Component{}
	}
	return cs, nil
}

// Component returns the component id of the procedure code, retired or
// not (a caller that records a new use of it checks Active). Returns
// KindNotFound unless the procedure has it.
func (s *Service) Component(ctx context.Context, code string, id int64) (Component, error) {
	return s.store.Component(ctx, code, id)
}

// CreateComponent adds a component to the procedure code (admin). Without
// a position it goes after the last. Returns KindNotFound for an unknown
// procedure, KindValidation for bad fields, KindConflict for a code the
// procedure already has.
func (s *Service) CreateComponent(ctx context.Context, by user.Principal, code string, n NewComponent) (Component, error) {
	if err := by.RequireRole(user.RoleAdmin); err != nil {
		return Component{}, err
	}
	if _, err := s.ProcedureName(ctx, code); err != nil {
		return Component{}, err
	}
	fe := domain.FieldErrors{}
	c := n.Build(code, fe)
	c.Check(fe, "")
	if err := fe.Err(); err != nil {
		return Component{}, err
	}
	if n.Position == nil {
		next, err := s.store.NextComponentPosition(ctx, code)
		if err != nil {
			return Component{}, err
		}
		c.Position = min(next, MaxPosition)
	}
	now := s.now().UTC()
	c.CreatedAt, c.UpdatedAt = now, now
	if err := s.store.CreateComponent(ctx, &c); err != nil {
		return Component{}, err
	}
	return c, nil
}

// UpdateComponent applies patch to the component id of the procedure code
// (admin); setting Active false retires it. Returns KindNotFound unless the
// procedure has the component, KindValidation for bad fields, KindConflict
// for a code another of its components has.
func (s *Service) UpdateComponent(ctx context.Context, by user.Principal, code string, id int64, patch func(*Component, domain.FieldErrors)) (Component, error) {
	if err := by.RequireRole(user.RoleAdmin); err != nil {
		return Component{}, err
	}
	c, err := s.store.Component(ctx, code, id)
	if err != nil {
		return Component{}, err
	}
	fe := domain.FieldErrors{}
	patch(&c, fe)
	c.ID, c.ProcedureCode = id, code
	c.Check(fe, "")
	if err := fe.Err(); err != nil {
		return Component{}, err
	}
	c.UpdatedAt = s.now().UTC()
	if err := s.store.UpdateComponent(ctx, c); err != nil {
		return Component{}, err
	}
	return c, nil
}

// SyncComponents brings the stored components of one procedure to the list
// want (an import line's, in order): a wanted component is matched with a
// stored one of the same code, else with a stored one without a code and
// of the same name (which then takes the code); a matched one takes the
// wanted fields (a retired one comes back unless the line retires it), an
// unmatched wanted one is added, and a stored active one that nothing
// matched is retired. Only the components that change are returned, with
// UpdatedAt (and for the added ones CreatedAt) set to now; importing the
// same list again changes nothing.
func SyncComponents(stored, want []Component, now time.Time) (update, add []Component) {
	used := make([]bool, len(stored))
	match := make([]int, len(want))
	byCode := map[string]int{}
	for i, c := range stored {
		if c.Code != "" {
			byCode[c.Code] = i
		}
	}
	for j, w := range want {
		match[j] = -1
		if i, ok := byCode[w.Code]; ok && w.Code != "" && !used[i] {
			match[j], used[i] = i, true
		}
	}
	for j, w := range want {
		if match[j] >= 0 {
			continue
		}
		for i, c := range stored {
			if !used[i] && c.Code == "" && c.Name == w.Name {
				match[j], used[i] = i, true
				break
			}
		}
	}
	for j, w := range want {
		if match[j] < 0 {
			w.ID, w.CreatedAt, w.UpdatedAt = 0, now, now
			add = append(add, w)
			continue
		}
		old := stored[match[j]]
		w.ID, w.ProcedureCode, w.CreatedAt, w.UpdatedAt = old.ID, old.ProcedureCode, old.CreatedAt, old.UpdatedAt
		if w != old {
			w.UpdatedAt = now
			update = append(update, w)
		}
	}
	for i, c := range stored {
		if !used[i] && c.Active {
			c.Active, c.UpdatedAt = false, now
			update = append(update, c)
		}
	}
	return update, add
}
