package repository

import (
	"context"
	"sync"
	"testing"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/user"
)

// Two admins demoting each other at the same moment: the store's update
// transaction makes one of them see the other's change, so one admin stays.
func TestUserUpdateKeepsOneProvinceAdminUnderRace(t *testing.T) {
	db := OpenTest(t)
	ctx := context.Background()
	us := NewUserStore(db)
	for _, name := range []string{"adm.a", "adm.b"} {
		if err := us.Create(ctx, user.User{Username: name, Role: user.RoleAdmin, PasswordHash: "x", CreatedAt: t0, UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	for round := 0; round < 5; round++ {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, name := range []string{"adm.a", "adm.b"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = us.Update(ctx, name, func(u *user.User, admins int64) (bool, error) {
					if u.ProvinceAdmin() && admins <= 1 {
						return false, user.ErrLastAdmin
					}
					u.Role = user.RoleViewer
					return true, nil
				})
			}()
		}
		wg.Wait()
		var n int64
		if err := db.Model(&userRow{}).Where("role = ? AND disabled = ? AND unit_code IS NULL", "admin", false).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 1 || (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("round %d: %d admins left, errors %v", round, n, errs)
		}
		for _, err := range errs {
			if err != nil && domain.KindOf(err) != domain.KindConflict {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		// Promote both back for the next round.
		for _, name := range []string{"adm.a", "adm.b"} {
			if _, err := us.Update(ctx, name, func(u *user.User, _ int64) (bool, error) { u.Role = user.RoleAdmin; return true, nil }); err != nil {
				t.Fatal(err)
			}
		}
	}
}
