package api

import (
	"context"

	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

// UserService is the part of user.Service the HTTP layer calls.
type UserService interface {
	Authenticate(ctx context.Context, username, password string) (user.Principal, error)
	Principal(ctx context.Context, username string) (user.Principal, error)
	Create(ctx context.Context, by user.Principal, system bool, in user.NewUser) (user.User, error)
	Update(ctx context.Context, by user.Principal, username string, p user.Patch) (user.User, error)
	Get(ctx context.Context, by user.Principal, username string) (user.User, error)
	List(ctx context.Context, by user.Principal, role user.Role, unit string, offset, limit int) ([]user.User, int64, error)
}

// CatalogService is the part of catalog.Service the HTTP layer calls.
type CatalogService interface {
	Agency(ctx context.Context, code string) (catalog.Agency, error)
	ListAgencies(ctx context.Context, f catalog.AgencyFilter) ([]catalog.Agency, int64, error)
	CreateAgency(ctx context.Context, by user.Principal, a catalog.Agency) (catalog.Agency, error)
	UpdateAgency(ctx context.Context, by user.Principal, code string, patch func(*catalog.Agency)) (catalog.Agency, error)
	Procedure(ctx context.Context, code string) (catalog.Procedure, error)
	ListProcedures(ctx context.Context, f catalog.ProcedureFilter) ([]catalog.Procedure, int64, error)
	CreateProcedure(ctx context.Context, by user.Principal, p catalog.Procedure) (catalog.Procedure, error)
	UpdateProcedure(ctx context.Context, by user.Principal, code string, patch func(*catalog.Procedure)) (catalog.Procedure, error)
	AddPublication(ctx context.Context, by user.Principal, code string, pub catalog.Publication) (catalog.Procedure, error)
	CalendarYear(ctx context.Context, year int) (worktime.Year, bool, error)
	PutCalendarYear(ctx context.Context, by user.Principal, y worktime.Year) (worktime.Year, error)
}

var (
	_ UserService    = (*user.Service)(nil)
	_ CatalogService = (*catalog.Service)(nil)
)
