package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app"
	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/repository"
)

// dossierDemoScenario is one demo dossier: where and how it is received, how long
// ago, and the actions it goes through.
type dossierDemoScenario struct {
	site    string // "centre" (Sở Tư pháp staff), "commune", "former" (the district before 1 July 2025), "other" (centre clerk only)
	proc    string
	channel dossier.Channel
	onSpot  bool
	daysAgo float64 // before now; for "former", before 1 July 2025
	steps   []string
}

// demoReformDay is when districts ceased to exist (two-tier local government).
var demoReformDay = time.Date(2025, 7, 1, 0, 0, 0, 0, time.FixedZone("+07", 7*3600))

// dossierDemoScenarios cover every status, late and rescheduled dossiers, on-spot
// and online ones, spread over the last two months.
var dossierDemoScenarios = []dossierDemoScenario{
	// Sở Tư pháp at the provincial centre.
	{"centre", "2.000488", dossier.Direct, false, 58, []string{"start", "resolve", "return"}},
	{"centre", "2.000488", dossier.Postal, false, 55, []string{"start", "request_supplement", "supplement", "resolve", "return"}},
	{"centre", "1.001029", dossier.Direct, false, 52, []string{"start", "request_payment", "confirm_payment", "resolve", "return"}},
	{"centre", "2.000908", dossier.Direct, true, 50, []string{"resolve", "return"}},
	{"centre", "2.000908", dossier.Direct, true, 44, []string{"resolve", "return"}},
	{"centre", "1.014137", dossier.Direct, true, 37, []string{"resolve", "return"}},
	{"centre", "2.000908", dossier.Direct, true, 21, []string{"resolve", "return"}},
	{"centre", "1.001029", dossier.Direct, true, 9, []string{"resolve"}},
	{"centre", "2.000488", dossier.Direct, false, 48, []string{"start", "late_resolve", "return"}},
	{"centre", "2.000488", dossier.Direct, false, 45, []string{"start", "reschedule", "late_resolve", "return"}},
	{"centre", "2.001955", dossier.Direct, false, 40, []string{"start", "reschedule", "resolve", "return"}},
	{"centre", "2.000488", dossier.Online, false, 35, []string{"accept", "start", "resolve", "return"}},
	{"centre", "2.000488", dossier.Online, false, 30, []string{"reject"}},
	{"centre", "2.000488", dossier.Online, false, 1.2, nil},
	{"centre", "2.000488", dossier.Direct, false, 28, []string{"start", "withdraw"}},
	{"centre", "1.001029", dossier.Direct, false, 26, []string{"start", "stop"}},
	{"centre", "2.000488", dossier.Direct, false, 24, []string{"start", "deny"}},
	{"centre", "2.000488", dossier.Direct, false, 32, []string{"start"}}, // overdue, still processing
	{"centre", "2.000488", dossier.Direct, false, 4, []string{"start"}},
	{"centre", "2.001955", dossier.Direct, false, 3, []string{"start", "request_supplement"}},
	{"centre", "1.001029", dossier.Direct, false, 3.5, []string{"start", "request_payment"}},
	{"centre", "2.000488", dossier.Direct, false, 2, nil}, // the showcase: received, clock running
	// The former district's one-stop desk, before the reform: all finished.
	{"former", "1.001612", dossier.Direct, false, 50, []string{"start", "resolve", "return"}},
	{"former", "1.001193", dossier.Direct, false, 41, []string{"start", "late_resolve", "return"}},
	{"former", "2.000806", dossier.Postal, false, 30, []string{"start", "resolve", "return"}},
	{"former", "1.004873", dossier.Direct, false, 20, []string{"start", "withdraw"}},
	// The commune's one-stop desk: commune procedures and the former district's.
	{"commune", "1.001612", dossier.Direct, false, 57, []string{"start", "resolve", "return"}},
	{"commune", "1.001193", dossier.Direct, false, 54, []string{"start", "resolve", "return"}},
	{"commune", "2.000806", dossier.Postal, false, 47, []string{"start", "late_resolve", "return"}},
	{"commune", "1.004873", dossier.Online, false, 42, []string{"accept", "start", "resolve", "return"}},
	{"commune", "1.012787", dossier.Direct, false, 38, []string{"start", "reschedule", "late_resolve"}},
	{"commune", "1.001193", dossier.Direct, false, 33, []string{"start", "request_supplement", "supplement", "resolve", "return"}},
	{"commune", "2.000992", dossier.Direct, false, 27, []string{"start", "withdraw"}},
	{"commune", "1.004884", dossier.Direct, false, 19, []string{"start", "stop"}},
	{"commune", "1.001612", dossier.Online, false, 14, []string{"reject"}},
	{"commune", "1.004859", dossier.Direct, false, 12, []string{"start", "resolve", "return"}},
	{"commune", "1.012787", dossier.Direct, false, 6, []string{"start", "request_supplement"}},
	{"commune", "1.001193", dossier.Online, false, 0.8, nil},
	{"commune", "2.000806", dossier.Direct, false, 2.5, []string{"start"}},
	// Other departments' dossiers received at the centre (counter work only).
	{"other", "2.001610", dossier.Direct, false, 53, []string{"start"}},
	{"other", "2.001827", dossier.Direct, false, 16, []string{"start", "reschedule"}},
	{"other", "3.000347", dossier.Postal, false, 11, []string{"request_supplement", "withdraw"}},
	{"other", "2.001610", dossier.Online, false, 5, []string{"accept"}},
	{"other", "3.000347", dossier.Direct, false, 1.5, nil},
}

var dossierDemoNames = []string{"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em",
	"Lò Thị Phương", "Vàng A Giàng", "Đỗ Thị Hạnh", "Bùi Văn Hùng", "Tao Thị Inh", "Giàng A Khánh", "Đặng Thị Lan"}

// dossierDemoActor is a demo user as a principal.
func dossierDemoActor(username string) user.Principal {
	for _, u := range Users {
		if u.Username == username {
			return user.Principal{Username: u.Username, Role: u.Role, Unit: u.Unit}
		}
	}
	return user.Principal{Username: username}
}

// seedDemoDossiers adds the demo dossiers through a dossier service with
// its own clock, so every history is what the real service would have
// written. It does nothing when the demo units already have dossiers.
func seedDossiers(ctx context.Context, a *app.App, now func() time.Time) error {
	admin := user.Principal{Username: "system", Role: user.RoleAdmin}
	_, n, err := a.Dossiers.List(ctx, admin, dossier.Filter{UnitCode: Center, Page: domain.Page{Page: 1, PageSize: 1}})
	if err != nil {
		return fmt.Errorf("demo dossiers: %w", err)
	}
	if n > 0 {
		return nil
	}
	cal, err := a.Catalog.Calendar(ctx)
	if err != nil {
		return fmt.Errorf("demo dossiers: %w", err)
	}
	end := now().UTC()
	var clock time.Time
	svc := dossier.NewService(repository.NewDossierStore(a.DB, a.Sealer), a.Catalog, domain.NewPinHasher(a.DataKey),
		dossier.SupplementPolicy(a.Config.SupplementPolicy), func() time.Time { return clock })

	// The pre-reform dossiers first, then the reform, then the rest.
	scenarios := make([]dossierDemoScenario, 0, len(dossierDemoScenarios))
	for _, sc := range dossierDemoScenarios {
		if sc.site == "former" {
			scenarios = append(scenarios, sc)
		}
	}
	for _, sc := range dossierDemoScenarios {
		if sc.site != "former" {
			scenarios = append(scenarios, sc)
		}
	}
	reformed := false
	for i, sc := range scenarios {
		clerk, officer, leader := dossierDemoActor("clerk"), dossierDemoActor("officer"), dossierDemoActor("leader")
		from := end
		switch sc.site {
		case "commune":
			clerk, officer, leader = dossierDemoActor("clerk.commune"), dossierDemoActor("leader.commune"), dossierDemoActor("leader.commune")
		case "former":
			// Staff of the former district, who have no accounts any more.
			clerk = user.Principal{Username: "motcua.huyen", Role: user.RoleClerk, Unit: District}
			officer = user.Principal{Username: "lanhdao.huyen", Role: user.RoleLeader, Unit: District}
			leader = officer
			from = demoReformDay
		case "other":
			officer, leader = clerk, clerk
		}
		if sc.site != "former" && !reformed {
			if err := reform(ctx, a); err != nil {
				return err
			}
			reformed = true
		}
		clock = from.Add(-time.Duration(sc.daysAgo * float64(24*time.Hour))).Truncate(time.Minute)
		if !clock.Before(end) {
			continue // a clock set before the reform: no such history
		}
		name := dossierDemoNames[i%len(dossierDemoNames)]
		r, err := svc.Register(ctx, clerk, dossier.NewDossier{ProcedureCode: sc.proc, Channel: sc.channel, OnSpot: sc.onSpot,
			Applicant: dossier.Applicant{Name: name, IDNumber: fmt.Sprintf("0%02d%09d", 12+i%20, 100000000+i*7919),
				Phone: fmt.Sprintf("09%08d", 12345678+i*1013), Address: "Tổ " + fmt.Sprint(i%9+1) + ", thành phố (demo)"},
			Documents: []dossier.Document{{Name: "Tờ khai theo mẫu", Copies: 1}, {Name: "Bản sao giấy tờ tùy thân", Copies: 1}}})
		if err != nil {
			return fmt.Errorf("demo dossier %d: %w", i, err)
		}
		d := r.Dossier
		for _, st := range sc.steps {
			next, in, by := dossierDemoStep(cal, d, clock, st, clerk, officer, leader)
			if next.After(end) {
				break // the story has not got this far yet
			}
			clock = next
			if d, err = svc.Act(ctx, by, d.Code, in); err != nil {
				return fmt.Errorf("demo dossier %d %s: %w", i, st, err)
			}
		}
		if sc.site == "centre" && d.Status == dossier.Received && sc.steps == nil {
			a.DemoDossier = app.DemoDossier{Code: r.Code, Pin: r.Pin}
		}
	}
	return nil
}

// dossierDemoStep returns when the step happens (a few working hours after the
// last one, or after the due time for a late resolve), what it asks and who.
func dossierDemoStep(cal interface {
	AddWorking(time.Time, time.Duration) time.Time
}, d dossier.Dossier, last time.Time, step string, clerk, officer, leader user.Principal) (time.Time, dossier.ActionInput, user.Principal) {
	at := cal.AddWorking(last, 3*time.Hour)
	switch step {
	case "accept":
		return at, dossier.ActionInput{Action: dossier.ActAccept}, clerk
	case "reject":
		return at, dossier.ActionInput{Action: dossier.ActReject, Reason: "Thủ tục không thuộc thẩm quyền giải quyết"}, clerk
	case "start":
		return cal.AddWorking(last, time.Hour), dossier.ActionInput{Action: dossier.ActStart}, officer
	case "request_supplement":
		return at, dossier.ActionInput{Action: dossier.ActRequestSupplement, Reason: "Thiếu giấy tờ",
			Items: []string{"Bản sao có chứng thực giấy khai sinh"}}, officer
	case "supplement":
		return cal.AddWorking(last, 16*time.Hour), dossier.ActionInput{Action: dossier.ActSupplement, Note: "Công dân đã bổ sung"}, clerk
	case "request_payment":
		return at, dossier.ActionInput{Action: dossier.ActRequestPayment, Amount: dossierDemoAmount(200000)}, officer
	case "confirm_payment":
		return at, dossier.ActionInput{Action: dossier.ActConfirmPayment}, clerk
	case "resolve":
		if d.OnSpot {
			return cal.AddWorking(last, time.Hour), dossier.ActionInput{Action: dossier.ActResolve, Outcome: dossier.Approved}, leader
		}
		return at, dossier.ActionInput{Action: dossier.ActResolve, Outcome: dossier.Approved}, leader
	case "deny":
		return at, dossier.ActionInput{Action: dossier.ActResolve, Outcome: dossier.Denied,
			Reason: "Hồ sơ không đáp ứng điều kiện theo quy định"}, leader
	case "late_resolve":
		return cal.AddWorking(*d.DueAt, 5*time.Hour), dossier.ActionInput{Action: dossier.ActResolve, Outcome: dossier.Approved}, leader
	case "return":
		return at, dossier.ActionInput{Action: dossier.ActReturn}, clerk
	case "withdraw":
		return at, dossier.ActionInput{Action: dossier.ActWithdraw, Reason: "Công dân xin rút hồ sơ"}, clerk
	case "stop":
		return at, dossier.ActionInput{Action: dossier.ActStop, Reason: "Phát hiện hồ sơ giả mạo giấy tờ"}, leader
	case "reschedule":
		newDue := cal.AddWorking(*d.AppointmentAt, 24*time.Hour).In(time.UTC).Format(time.RFC3339)
		return cal.AddWorking(last, time.Hour), dossier.ActionInput{Action: dossier.ActReschedule, NewDueAt: newDue,
			Reason: "Cần xác minh thêm thông tin với cơ quan liên quan (Mẫu 04)"}, leader
	}
	return at, dossier.ActionInput{Action: dossier.Action(step)}, clerk
}

func dossierDemoAmount(v int64) *int64 { return &v }
