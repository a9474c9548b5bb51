package repository

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/user"
)

// plainHasher is a transparent password "hash" for tests.
type plainHasher struct{}

func (plainHasher) Hash(p string) (string, error) { return "h:" + p, nil }
func (plainHasher) Verify(hash, p string) bool    { return hash == "h:"+p }

// noUnits is an agency tree without units.
type noUnits struct{}

func (noUnits) Has(string) bool            { return false }
func (noUnits) Within(string, string) bool { return false }

// Two admins demoting each other at the same moment: the service's update
// transaction holds the admins' lock, so one of them sees the other's
// change and one admin stays.
func TestUserUpdateKeepsOneProvinceAdminUnderRace(t *testing.T) {
	db := OpenTest(t)
	ctx := context.Background()
	us := NewUserStore(db)
	svc := user.NewService(us, plainHasher{}, func(context.Context) (user.UnitChecker, error) { return noUnits{}, nil },
		func() time.Time { return t0 })
	by := user.Principal{Username: "root", Role: user.RoleAdmin}
	for _, name := range []string{"adm.a", "adm.b"} {
		if err := us.Create(ctx, user.User{Username: name, Role: user.RoleAdmin, PasswordHash: "x", CreatedAt: t0, UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	role := func(r user.Role) user.Patch { return user.Patch{Role: &r} }
	for round := 0; round < 5; round++ {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, name := range []string{"adm.a", "adm.b"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = svc.Update(ctx, by, name, role(user.RoleViewer))
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
			if _, err := svc.Update(ctx, by, name, role(user.RoleAdmin)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// The store's Update writes the account's fields and leaves the token
// version to BumpTokenVersion; an unknown user is KindNotFound.
func TestUserStoreUpdate(t *testing.T) {
	db := OpenTest(t)
	ctx := context.Background()
	us := NewUserStore(db)
	u := user.User{Username: "clerk.a", Role: user.RoleViewer, PasswordHash: "x", CreatedAt: t0, UpdatedAt: t0}
	if err := us.Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	u.Name, u.Disabled, u.TokenVersion, u.UpdatedAt = "Cán bộ", true, 9, t0.Add(time.Hour)
	if err := us.Update(ctx, u); err != nil {
		t.Fatal(err)
	}
	got, err := us.User(ctx, "clerk.a")
	if err != nil || got.Name != "Cán bộ" || !got.Disabled || got.TokenVersion != 0 || !got.UpdatedAt.Equal(u.UpdatedAt) {
		t.Fatalf("after update: %+v, %v", got, err)
	}
	u.Username = "nobody"
	wantKind(t, "unknown user", us.Update(ctx, u), domain.KindNotFound)
}
