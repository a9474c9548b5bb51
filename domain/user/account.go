package user

import (
	"context"
	"unicode/utf8"

	"github.com/motcua/motcua/domain"
)

// Patch is a partial update of a user; nil fields stay.
type Patch struct {
	Name     *string
	Role     *Role
	Unit     *string
	Password *string
	Disabled *bool
	// Email replaces the address; "" removes it, as "" does the unit.
	Email *string
}

// ErrLastAdmin refuses a change that would leave no active province-wide
// admin, and with it nobody able to manage users.
var ErrLastAdmin = &domain.Error{Kind: domain.KindConflict,
	Message: "Không thể hạ vai trò, khóa hay gán đơn vị cho quản trị viên toàn tỉnh cuối cùng"}

// Update changes a user (admin). A new password, a disable, or another role
// or unit revokes the user's tokens. The last active province-wide admin
// can be neither demoted, disabled nor given a unit (ErrLastAdmin). The
// check and the write happen in one transaction that holds the admins'
// lock (Store.LockAdmins), so two admins demoting each other at once
// cannot both succeed.
func (s *Service) Update(ctx context.Context, by Principal, username string, p Patch) (User, error) {
	if err := by.RequireRole(RoleAdmin); err != nil {
		return User{}, err
	}
	units, err := s.units(ctx)
	if err != nil {
		return User{}, err
	}
	passwordOK := p.Password == nil || len(*p.Password) >= MinPasswordLen && len(*p.Password) <= MaxPasswordBytes
	var hash string
	if p.Password != nil && passwordOK {
		if hash, err = s.hasher.Hash(*p.Password); err != nil {
			return User{}, err
		}
	}
	now := s.now().UTC()
	var u User
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := tx.LockAdmins(ctx); err != nil {
			return err
		}
		before, err := tx.LockUser(ctx, username)
		if err != nil {
			return err
		}
		if by.Unit != "" && !by.InScope(units, before.Unit) {
			return errUserNotFound
		}
		u = before
		fe := domain.FieldErrors{}
		if p.Name != nil {
			if utf8.RuneCountInString(*p.Name) > 300 {
				fe.Add("name", "quá dài")
			}
			u.Name = *p.Name
		}
		if p.Role != nil {
			u.Role = *p.Role
		}
		if p.Unit != nil {
			u.Unit = *p.Unit
		}
		if p.Disabled != nil {
			u.Disabled = *p.Disabled
		}
		if p.Email != nil {
			email, ok := NormalizeEmail(*p.Email)
			if !ok {
				fe.Add("email", emailProblem)
			}
			u.Email = email
		}
		if !passwordOK {
			fe.Add("password", "từ 8 đến 72 ký tự")
		}
		checkRoleUnit(fe, units, u.Role, u.Unit)
		if err := fe.Err(); err != nil {
			return err
		}
		if by.Unit != "" && !by.InScope(units, u.Unit) {
			return domain.ErrForbidden // an admin of a unit moves no one out of it
		}
		if before.ProvinceAdmin() && !u.ProvinceAdmin() {
			admins, err := tx.CountProvinceAdmins(ctx)
			if err != nil {
				return err
			}
			if admins <= 1 {
				return ErrLastAdmin
			}
		}
		if hash != "" {
			u.PasswordHash = hash
		}
		u.UpdatedAt = now
		if err := tx.Update(ctx, u); err != nil {
			return err
		}
		if hash != "" || u.Role != before.Role || u.Unit != before.Unit || (u.Disabled && !before.Disabled) {
			if err := tx.BumpTokenVersion(ctx, u.Username); err != nil {
				return err
			}
			u.TokenVersion++
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// Me returns the caller's own account.
func (s *Service) Me(ctx context.Context, by Principal) (User, error) {
	u, err := s.store.User(ctx, by.Username)
	if domain.KindOf(err) == domain.KindNotFound {
		return User{}, domain.ErrUnauthenticated
	}
	return u, err
}

// Logout revokes every token of the caller (they all carry the same
// version), this one included.
func (s *Service) Logout(ctx context.Context, by Principal) error {
	err := s.store.BumpTokenVersion(ctx, by.Username)
	if domain.KindOf(err) == domain.KindNotFound {
		return domain.ErrUnauthenticated
	}
	return err
}

// ChangePassword lets the caller replace their own password: current must
// be right (else 422 on current_password), and next at least
// MinOwnPasswordLen characters, at most MaxPasswordBytes bytes and not the
// current one. Wrong current passwords count towards the login back-off of
// the account, so a stolen token cannot be used to guess the password
// either. Every token of the user is revoked, this one included.
func (s *Service) ChangePassword(ctx context.Context, by Principal, current, next string) error {
	fe := domain.FieldErrors{}
	if current == "" {
		fe.Add("current_password", "bắt buộc")
	}
	switch {
	case utf8.RuneCountInString(next) < MinOwnPasswordLen:
		fe.Add("new_password", "ít nhất 12 ký tự")
	case len(next) > MaxPasswordBytes:
		fe.Add("new_password", "tối đa 72 byte")
	case next == current:
		fe.Add("new_password", "phải khác mật khẩu hiện tại")
	}
	if len(current) > 200 {
		fe.Add("current_password", "quá dài")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if _, wait, locked := s.logins.Begin(by.Username); locked {
		return errLocked(wait)
	}
	u, err := s.store.User(ctx, by.Username)
	if domain.KindOf(err) == domain.KindNotFound {
		return domain.ErrUnauthenticated
	}
	if err != nil {
		return err
	}
	if !s.hasher.Verify(u.PasswordHash, current) {
		return domain.FieldErrors{"current_password": "không đúng"}.Err()
	}
	s.logins.Reset(by.Username)
	hash, err := s.hasher.Hash(next)
	if err != nil {
		return err
	}
	return s.store.SetPassword(ctx, u.Username, u.PasswordHash, hash, s.now().UTC())
}
