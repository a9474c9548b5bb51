// Package user models staff accounts, their roles, and the unit-scope rule
// that decides what each of them may see and touch.
package user

import (
	"time"

	"github.com/motcua/motcua/domain"
)

// Role is what a staff member does.
type Role string

// The roles of docs/domain.md.
const (
	RoleAdmin   Role = "admin"   // province administrator
	RoleClerk   Role = "clerk"   // one-stop counter staff
	RoleOfficer Role = "officer" // specialist of a handling agency
	RoleLeader  Role = "leader"  // head or deputy of an agency
	RoleViewer  Role = "viewer"  // statistics and inspection staff
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleClerk, RoleOfficer, RoleLeader, RoleViewer:
		return true
	}
	return false
}

// User is a staff account. PasswordHash is never shown.
type User struct {
	Username string
	Name     string
	Role     Role
	Unit     string
	// Email is the work address escalation digests go to; "" for none.
	Email        string
	PasswordHash string
	Disabled     bool
	// TokenVersion is carried in every token issued to the user; raising it
	// revokes all of them at once.
	TokenVersion int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// ProvinceAdmin reports whether u is an active admin with the province-wide
// scope (no unit): the accounts that keep the whole system manageable.
func (u User) ProvinceAdmin() bool {
	return u.Role == RoleAdmin && !u.Disabled && u.Unit == ""
}

// Principal is the authenticated caller of a request.
type Principal struct {
	Username string
	Role     Role
	Unit     string
	// Name is the user's full name as loaded with the principal ("" when
	// the account has none or the principal was not loaded from one): what
	// a receipt prints as the receiving officer without reading it again.
	Name string
	// TokenVersion is the user's token version when the principal was
	// loaded; tokens are issued with it.
	TokenVersion int64
}

// Is reports whether p has one of roles.
func (p Principal) Is(roles ...Role) bool {
	for _, r := range roles {
		if p.Role == r {
			return true
		}
	}
	return false
}

// SeesAll reports whether p's scope is the whole province: an admin or viewer
// without a unit.
func (p Principal) SeesAll() bool {
	return p.Unit == "" && p.Is(RoleAdmin, RoleViewer)
}

// Ancestry answers whether a unit lies within another (itself or below it).
// catalog.Tree implements it.
type Ancestry interface {
	Within(unit, ancestor string) bool
}

// InScope reports whether any of units lies within p's scope: p's unit and the
// units below it. An admin or viewer without a unit sees everything; any
// other principal without a unit sees nothing.
func (p Principal) InScope(a Ancestry, units ...string) bool {
	if p.SeesAll() {
		return true
	}
	if p.Unit == "" {
		return false
	}
	for _, u := range units {
		if u != "" && a.Within(u, p.Unit) {
			return true
		}
	}
	return false
}

// RequireRole returns ErrForbidden unless p has one of roles.
func (p Principal) RequireRole(roles ...Role) error {
	if p.Is(roles...) {
		return nil
	}
	return domain.ErrForbidden
}

// MinPasswordLen is the shortest password an admin may set.
const MinPasswordLen = 8

// MinOwnPasswordLen is the shortest password users may choose for
// themselves, in characters.
const MinOwnPasswordLen = 12

// MaxPasswordBytes is the longest password accepted: bcrypt reads no more.
const MaxPasswordBytes = 72

// ValidUsername reports whether s is 3..64 of a-z 0-9 . _ -.
func ValidUsername(s string) bool {
	if len(s) < 3 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}
