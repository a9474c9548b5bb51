package api

import (
	"context"
	"io"

	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/feedback"
	"github.com/motcua/motcua/domain/importer"
	"github.com/motcua/motcua/domain/papers"
	"github.com/motcua/motcua/domain/stats"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

// UserService is the part of user.Service the HTTP layer calls.
type UserService interface {
	Authenticate(ctx context.Context, username, password string) (user.Principal, error)
	Principal(ctx context.Context, username string, version int64) (user.Principal, error)
	Me(ctx context.Context, by user.Principal) (user.User, error)
	Logout(ctx context.Context, by user.Principal) error
	ChangePassword(ctx context.Context, by user.Principal, current, next string) error
	Create(ctx context.Context, by user.Principal, system bool, in user.NewUser) (user.User, error)
	Update(ctx context.Context, by user.Principal, username string, p user.Patch) (user.User, error)
	Get(ctx context.Context, by user.Principal, username string) (user.User, error)
	List(ctx context.Context, by user.Principal, f user.Filter) ([]user.User, int64, error)
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
	AddPublication(ctx context.Context, by user.Principal, code string, t catalog.PublicationText) (catalog.Procedure, error)
	CalendarYear(ctx context.Context, year int) (worktime.Year, bool, error)
	PutCalendarYear(ctx context.Context, by user.Principal, t worktime.YearText) (worktime.Year, error)
	ComponentService
}

// DossierService is the part of dossier.Service the HTTP layer calls.
type DossierService interface {
	Register(ctx context.Context, by user.Principal, in dossier.NewDossier) (dossier.Registered, error)
	Get(ctx context.Context, by user.Principal, code string) (dossier.Dossier, error)
	Act(ctx context.Context, by user.Principal, code string, in dossier.ActionInput) (dossier.Dossier, error)
	List(ctx context.Context, by user.Principal, f dossier.Filter) ([]dossier.Dossier, int64, error)
	Lookup(ctx context.Context, code string, c dossier.Credential) (dossier.Public, error)
	RecordPayment(ctx context.Context, by user.Principal, code string, in dossier.CounterPayment) (dossier.Payment, error)
	Payments(ctx context.Context, by user.Principal, code string) ([]dossier.Payment, error)
}

var _ DossierService = (*dossier.Service)(nil)

// FeedbackService is the part of feedback.Service the HTTP layer calls.
type FeedbackService interface {
	Record(ctx context.Context, by user.Principal, in feedback.NewFeedback) (feedback.Feedback, string, error)
	Submit(ctx context.Context, in feedback.NewFeedback, dossierPin string) (feedback.Feedback, string, error)
	Act(ctx context.Context, by user.Principal, code string, in feedback.ActionInput) (feedback.Feedback, error)
	Get(ctx context.Context, by user.Principal, code string) (feedback.Feedback, error)
	PublicPreview(ctx context.Context, by user.Principal, code string) (feedback.PublicText, error)
	List(ctx context.Context, by user.Principal, f feedback.Filter) ([]feedback.Feedback, int64, error)
	Lookup(ctx context.Context, code, pin string) (feedback.Feedback, error)
	Published(ctx context.Context, f feedback.PublicFilter) ([]feedback.Feedback, int64, error)
}

// RatingService records citizens' ratings of returned dossiers.
type RatingService interface {
	Rate(ctx context.Context, code, pin string, score int, comment string) (feedback.Rating, error)
}

var (
	_ FeedbackService = (*feedback.Service)(nil)
	_ RatingService   = (*feedback.Service)(nil)
)

// StatsService is the part of stats.Service the HTTP layer calls.
type StatsService interface {
	Dossiers(ctx context.Context, by user.Principal, req stats.Request, group stats.GroupBy) (stats.Form06, error)
	Online(ctx context.Context, by user.Principal, req stats.Request) (stats.OnlineReport, error)
	Digitisation(ctx context.Context, by user.Principal, req stats.Request) (stats.DigitisationReport, error)
	DVCQG(ctx context.Context, by user.Principal, req stats.Request) (stats.DVCQGReport, error)
	Feedback(ctx context.Context, by user.Principal, req stats.Request) (stats.FeedbackReport, error)
	Procedures(ctx context.Context, by user.Principal, req stats.Request) (stats.ProcedureReport, error)
	Satisfaction(ctx context.Context, by user.Principal, req stats.Request) (stats.SatisfactionReport, error)
	ServiceIndex(ctx context.Context, by user.Principal, req stats.Request) (stats.ServiceIndexReport, error)
	// PublicPeriod and PublicMonth serve the public figures (public_stats.go).
	PublicPeriod(in stats.PeriodInput) (stats.Period, error)
	PublicMonth(ctx context.Context, in stats.PeriodInput) (stats.Form06, error)
}

var _ StatsService = (*stats.Service)(nil)

// ImportService is the part of importer.Service the HTTP layer calls.
type ImportService interface {
	Import(ctx context.Context, by user.Principal, kind importer.Kind, r io.Reader, progress func(importer.Progress)) (importer.Result, error)
}

var _ ImportService = (*importer.Service)(nil)

var (
	_ UserService    = (*user.Service)(nil)
	_ CatalogService = (*catalog.Service)(nil)
)

// PapersService is the part of papers.Service the HTTP layer calls.
type PapersService interface {
	Receipt(ctx context.Context, by user.Principal, code, pin string) (papers.File, error)
	SupplementRequest(ctx context.Context, by user.Principal, code string) (papers.File, error)
	Refusal(ctx context.Context, by user.Principal, code string) (papers.File, error)
	Apology(ctx context.Context, by user.Principal, code string) (papers.File, error)
	ControlSlip(ctx context.Context, by user.Principal, code string) (papers.File, error)
	TrackingBook(ctx context.Context, by user.Principal, req papers.BookRequest) (papers.TrackingBook, error)
	TrackingBookPDF(ctx context.Context, by user.Principal, req papers.BookRequest) (papers.File, error)
}

var _ PapersService = (*papers.Service)(nil)
