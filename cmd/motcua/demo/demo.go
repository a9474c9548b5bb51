// Package demo seeds the demo province through the real services: a small
// two-tier province, its procedures, one user per role, dossiers and
// feedback in every state. It is data, kept out of the wiring (package app).
package demo

import (
	"context"
	"fmt"
	"io"

	"github.com/motcua/motcua/cmd/motcua/app"
	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
	"github.com/motcua/motcua/repository"
)

// Demo agency codes: a small province (code suffix H99, not a real one) as
// local government stands since 1 July 2025: two tiers, the province and its
// communes and wards, with no districts between them. The former district is
// kept closed, holding the dossiers it handled before the reform.
const (
	Province       = "000.00.00.H99"
	Center         = "000.00.20.H99"
	Justice        = "000.00.09.H99" // Sở Tư pháp
	Planning       = "000.00.10.H99" // Sở Kế hoạch và Đầu tư
	Industry       = "000.00.12.H99" // Sở Công Thương
	Police         = "000.00.15.H99" // Công an tỉnh
	District       = "000.51.00.H99" // UBND huyện Tam Đường (demo), closed since 2025-07-01
	CommuneA       = "000.51.01.H99" // UBND xã Bản Bo (demo)
	CommuneB       = "000.51.02.H99" // UBND xã Bình Lư (demo)
	Password       = "motcua-demo-2026"
	demoAdminLogin = "admin"
)

// User is one demo account.
type User struct {
	Username, Name string
	Role           user.Role
	Unit           string
}

// Users are the demo accounts, one per role (and a clerk and leader at
// a commune), all with Password.
var Users = []User{
	{"admin", "Quản trị hệ thống", user.RoleAdmin, ""},
	{"clerk", "Nguyễn Thị Lan (một cửa tỉnh)", user.RoleClerk, Center},
	{"officer", "Trần Văn Minh (Sở Tư pháp)", user.RoleOfficer, Justice},
	{"leader", "Lò Văn Hùng (Sở Tư pháp)", user.RoleLeader, Justice},
	{"viewer", "Phạm Thu Hà (thống kê tỉnh)", user.RoleViewer, ""},
	{"clerk.commune", "Vàng Thị Mai (một cửa xã Bản Bo)", user.RoleClerk, CommuneA},
	{"leader.commune", "Đỗ Quang Vinh (UBND xã Bản Bo)", user.RoleLeader, CommuneA},
}

// Seed fills an empty database with a small province: agencies,
// procedures (real ones, from the shipped list), users of every role, and
// whatever the other areas add. It is idempotent: run twice, it adds
// nothing the second time. It prints the demo logins to out.
func Seed(ctx context.Context, a *app.App, out io.Writer) error {
	sys := user.Principal{Username: "system", Role: user.RoleAdmin}
	agencies := []catalog.Agency{
		{Code: Province, Name: "UBND tỉnh (demo)", Kind: catalog.KindProvince},
		{Code: Center, Name: "Trung tâm Phục vụ hành chính công tỉnh", Kind: catalog.KindServiceCenter, ParentCode: Province},
		{Code: Justice, Name: "Sở Tư pháp", Kind: catalog.KindDepartment, ParentCode: Province},
		{Code: Planning, Name: "Sở Kế hoạch và Đầu tư", Kind: catalog.KindDepartment, ParentCode: Province},
		{Code: Industry, Name: "Sở Công Thương", Kind: catalog.KindDepartment, ParentCode: Province},
		{Code: Police, Name: "Công an tỉnh", Kind: catalog.KindDepartment, ParentCode: Province},
		{Code: CommuneA, Name: "UBND xã Bản Bo", Kind: catalog.KindCommune, ParentCode: Province},
		{Code: CommuneB, Name: "UBND xã Bình Lư", Kind: catalog.KindCommune, ParentCode: Province},
		// Open while its pre-reform dossiers are seeded; closed right after
		// (demoReform).
		{Code: District, Name: "UBND huyện Tam Đường (cũ)", Kind: catalog.KindDistrict, ParentCode: Province},
	}
	for _, ag := range agencies {
		if _, err := a.Catalog.CreateAgency(ctx, sys, ag); err != nil && domain.KindOf(err) != domain.KindConflict {
			return fmt.Errorf("demo agency %s: %w", ag.Code, err)
		}
	}
	procs, err := repository.DemoProcedures()
	if err != nil {
		return err
	}
	for i, dp := range procs {
		p := catalog.Procedure{Code: dp.Code, Name: dp.Name, Field: dp.Field, Level: catalog.Level(dp.Level),
			ProcessingTime: worktime.Duration{Value: dp.ProcessingTime.Value, Unit: worktime.Unit(dp.ProcessingTime.Unit)},
			Fee:            dp.Fee, OnlineLevel: catalog.OnlineLevel(dp.OnlineLevel), Status: catalog.StatusActive,
			NationalPortalIntegrated: dp.OnlineLevel != "info" && i%3 != 0}
		switch {
		case dp.Level == "commune":
			p.AgencyCode = CommuneA
		case dp.Level == "district":
			p.AgencyCode = District // until demoReform hands them to the commune
		case dp.AgencyKind == "Sở Kế hoạch và Đầu tư":
			p.AgencyCode = Planning
		case dp.AgencyKind == "Sở Công Thương":
			p.AgencyCode = Industry
		case dp.AgencyKind == "Công an cấp tỉnh":
			p.AgencyCode = Police
		default:
			p.AgencyCode = Justice
		}
		// Same-day, short procedures handled at the centre are on the "5 tại chỗ" list.
		p.OnSpotEligible = dp.Level == "province" && dp.ProcessingTime.Value <= 5
		if _, err := a.Catalog.CreateProcedure(ctx, sys, p); err != nil && domain.KindOf(err) != domain.KindConflict {
			return fmt.Errorf("demo procedure %s: %w", dp.Code, err)
		}
	}
	// Two procedures of the Sở Tư pháp handled at the centre, one of them on the spot.
	extra := []catalog.Procedure{
		{Code: "2.000488", Name: "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam", Field: "Lý lịch tư pháp", AgencyCode: Justice,
			Level: catalog.LevelProvince, ProcessingTime: worktime.Duration{Value: 10, Unit: worktime.WorkingDays}, Fee: 200000,
			OnlineLevel: catalog.OnlineFull, NationalPortalIntegrated: true, Status: catalog.StatusActive},
		{Code: "2.000908", Name: "Chứng thực bản sao từ bản chính giấy tờ do cơ quan có thẩm quyền cấp", Field: "Chứng thực",
			AgencyCode: Justice, Level: catalog.LevelProvince, ProcessingTime: worktime.Duration{Value: 4, Unit: worktime.WorkingHours},
			Fee: 2000, OnlineLevel: catalog.OnlinePartial, OnSpotEligible: true, Status: catalog.StatusActive},
	}
	for _, p := range extra {
		if _, err := a.Catalog.CreateProcedure(ctx, sys, p); err != nil && domain.KindOf(err) != domain.KindConflict {
			return fmt.Errorf("demo procedure %s: %w", p.Code, err)
		}
	}
	for _, du := range Users {
		_, err := a.Users.Create(ctx, sys, true, user.NewUser{Username: du.Username, Name: du.Name, Role: du.Role, Unit: du.Unit, Password: Password})
		if err != nil && domain.KindOf(err) != domain.KindConflict {
			return fmt.Errorf("demo user %s: %w", du.Username, err)
		}
	}
	// Dossiers, then feedback and ratings (ratings need returned dossiers).
	if err := seedDossiers(ctx, a, a.Now); err != nil {
		return err
	}
	if err := seedFeedback(ctx, a); err != nil {
		return err
	}
	if err := reform(ctx, a); err != nil {
		return err
	}
	fmt.Fprintf(out, "Demo data ready. Every demo user's password is %q (demo only):\n", Password)
	for _, du := range Users {
		unit := du.Unit
		if unit == "" {
			unit = "(toàn tỉnh)"
		}
		fmt.Fprintf(out, "  %-16s %-8s %s\n", du.Username, du.Role, unit)
	}
	if d := a.DemoDossier; d.Code != "" {
		fmt.Fprintf(out, "Demo dossier for the citizen lookup: code %s, pin %s (shown once)\n", d.Code, d.Pin)
	}
	return nil
}

// demoReform applies the two-tier reform of 1 July 2025 to the demo
// province: the former district's procedures go to the commune, and the
// district is closed, keeping its dossiers. It is idempotent, and the demo
// dossiers call it between the pre-reform dossiers and the rest.
func reform(ctx context.Context, a *app.App) error {
	sys := user.Principal{Username: "system", Role: user.RoleAdmin}
	procs, err := repository.DemoProcedures()
	if err != nil {
		return err
	}
	for _, dp := range procs {
		if dp.Level != "district" {
			continue
		}
		_, err := a.Catalog.UpdateProcedure(ctx, sys, dp.Code, func(p *catalog.Procedure) {
			if p.AgencyCode == District {
				p.AgencyCode = CommuneA
			}
		})
		if err != nil && domain.KindOf(err) != domain.KindNotFound {
			return fmt.Errorf("demo reform %s: %w", dp.Code, err)
		}
	}
	if _, err := a.Catalog.UpdateAgency(ctx, sys, District, func(ag *catalog.Agency) { ag.Closed = true }); err != nil {
		return fmt.Errorf("demo reform: %w", err)
	}
	return nil
}
