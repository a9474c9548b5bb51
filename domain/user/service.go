package user

import (
	"context"
	"time"

	"github.com/motcua/motcua/domain"
)

// Store is the persistence the user service needs.
type Store interface {
	// InTx runs fn with a Store bound to one transaction; an error from fn
	// rolls everything back.
	InTx(ctx context.Context, fn func(tx Store) error) error
	// User returns KindNotFound if no user has username.
	User(ctx context.Context, username string) (User, error)
	List(ctx context.Context, f Filter) ([]User, int64, error)
	// Create returns KindConflict if the username is taken.
	Create(ctx context.Context, u User) error
	// LockAdmins makes every other transaction that calls it wait until
	// this one ends, so that the number of province-wide admins read after
	// it stays true until the commit. Call it inside InTx.
	LockAdmins(ctx context.Context) error
	// LockUser is User, and holds the user's row until the transaction
	// ends. Call it inside InTx.
	LockUser(ctx context.Context, username string) (User, error)
	// CountProvinceAdmins returns the number of province-wide admins
	// (User.ProvinceAdmin).
	CountProvinceAdmins(ctx context.Context) (int64, error)
	// Update writes the name, role, unit, password hash, disabled flag and
	// updated time of u to its row (KindNotFound if none); the token
	// version stays.
	Update(ctx context.Context, u User) error
	// SetPassword replaces the password hash of username and raises its
	// token version, if the hash is still oldHash; else KindConflict.
	SetPassword(ctx context.Context, username, oldHash, newHash string, at time.Time) error
	// BumpTokenVersion raises the token version of username by one
	// (KindNotFound if none).
	BumpTokenVersion(ctx context.Context, username string) error
	Count(ctx context.Context) (int64, error)
}

// Hasher hashes and checks passwords (bcrypt in production).
type Hasher interface {
	Hash(password string) (string, error)
	Verify(hash, password string) bool
}

// UnitChecker reports whether a unit code exists, and whether one lies
// within another (a unit admin's scope).
type UnitChecker interface {
	Has(code string) bool
	Ancestry
}

// manages reports whether by, an admin, may manage an account of unit: a
// province admin any, an admin of a unit only those of its unit and below
// (never a province-wide one).
func (s *Service) manages(ctx context.Context, by Principal, unit string) (bool, error) {
	if by.Unit == "" {
		return true, nil
	}
	if unit == "" {
		return false, nil
	}
	t, err := s.units(ctx)
	if err != nil {
		return false, err
	}
	return by.InScope(t, unit), nil
}

// Service manages staff accounts and checks passwords.
type Service struct {
	store  Store
	hasher Hasher
	units  func(ctx context.Context) (UnitChecker, error)
	now    func() time.Time
	dummy  string
	logins *domain.Lockout
}

// NewService returns a user service. units gives the current agency tree,
// used to check a user's unit.
func NewService(store Store, hasher Hasher, units func(ctx context.Context) (UnitChecker, error), now func() time.Time) *Service {
	dummy, _ := hasher.Hash("motcua-timing-equaliser")
	return &Service{store: store, hasher: hasher, units: units, now: now, dummy: dummy,
		logins: domain.NewLockout(loginPolicy, now)}
}

// ErrBadCredentials is the single answer to an unknown user, a wrong password
// and a disabled account, so none can be told apart.
var ErrBadCredentials = &domain.Error{Kind: domain.KindUnauthenticated, Message: "Tên đăng nhập hoặc mật khẩu không đúng"}

// maxLoginField bounds the username and password a login may send (bytes):
// longer is no account of ours, and is refused before any hashing.
const maxLoginField = 200

// Authenticate checks a username and password and returns the principal.
// A missing or overlong field is KindValidation. Returns ErrBadCredentials
// for any other failure, and KindRateLimited while the
// username is locked after repeated failures (the right password too).
func (s *Service) Authenticate(ctx context.Context, username, password string) (Principal, error) {
	fe := domain.FieldErrors{}
	switch {
	case username == "":
		fe.Add("username", "bắt buộc")
	case len(username) > maxLoginField:
		fe.Add("username", "quá dài")
	}
	switch {
	case password == "":
		fe.Add("password", "bắt buộc")
	case len(password) > maxLoginField:
		fe.Add("password", "quá dài")
	}
	if err := fe.Err(); err != nil {
		return Principal{}, err
	}
	if _, wait, locked := s.logins.Begin(username); locked {
		return Principal{}, errLocked(wait)
	}
	p, err := s.authenticate(ctx, username, password)
	if err == nil {
		s.logins.Reset(username)
	}
	return p, err
}

func (s *Service) authenticate(ctx context.Context, username, password string) (Principal, error) {
	u, err := s.store.User(ctx, username)
	if err != nil {
		if domain.KindOf(err) != domain.KindNotFound {
			return Principal{}, err
		}
		s.hasher.Verify(s.dummy, password) // same cost as a real check
		return Principal{}, ErrBadCredentials
	}
	if !s.hasher.Verify(u.PasswordHash, password) || u.Disabled {
		return Principal{}, ErrBadCredentials
	}
	return principalOf(u), nil
}

func principalOf(u User) Principal {
	return Principal{Username: u.Username, Role: u.Role, Unit: u.Unit, Name: u.Name, TokenVersion: u.TokenVersion}
}

// Principal reloads the principal of username for a token issued at
// version, so a disabled or changed account stops acting at once. Returns
// ErrUnauthenticated if the user is gone or disabled, or the token was
// revoked since (the user's token version moved on); a version only grows,
// so a revoked token never works again.
func (s *Service) Principal(ctx context.Context, username string, version int64) (Principal, error) {
	u, err := s.store.User(ctx, username)
	if err != nil {
		if domain.KindOf(err) == domain.KindNotFound {
			return Principal{}, domain.ErrUnauthenticated
		}
		return Principal{}, err
	}
	if u.Disabled || u.TokenVersion != version {
		return Principal{}, domain.ErrUnauthenticated
	}
	return principalOf(u), nil
}

// NewUser is what creating a user takes.
type NewUser struct {
	Username string
	Name     string
	Role     Role
	Unit     string
	Password string
	// Email is optional (NormalizeEmail).
	Email string
}

func (s *Service) validate(ctx context.Context, fe domain.FieldErrors, role Role, unit string) error {
	var t UnitChecker
	if unit != "" {
		var err error
		if t, err = s.units(ctx); err != nil {
			return err
		}
	}
	checkRoleUnit(fe, t, role, unit)
	return nil
}

// checkRoleUnit adds the problems of a role and unit to fe; t may be nil
// when unit is empty.
func checkRoleUnit(fe domain.FieldErrors, t UnitChecker, role Role, unit string) {
	if !role.Valid() {
		fe.Add("role", "phải là admin, clerk, officer, leader hoặc viewer")
	}
	if unit == "" && role.Valid() && role != RoleAdmin && role != RoleViewer {
		fe.Add("unit", "bắt buộc với vai trò này")
	}
	if unit != "" && !t.Has(unit) {
		fe.Add("unit", "không tồn tại")
	}
}

// Create adds a user. by must be an admin unless system is true (the
// bootstrap and the command line). Returns KindValidation or KindConflict.
func (s *Service) Create(ctx context.Context, by Principal, system bool, in NewUser) (User, error) {
	if !system {
		if err := by.RequireRole(RoleAdmin); err != nil {
			return User{}, err
		}
		if ok, err := s.manages(ctx, by, in.Unit); err != nil {
			return User{}, err
		} else if !ok {
			return User{}, domain.ErrForbidden
		}
	}
	fe := domain.FieldErrors{}
	if !ValidUsername(in.Username) {
		fe.Add("username", "3–64 ký tự a-z, 0-9, . _ -")
	}
	if len([]rune(in.Name)) > 300 {
		fe.Add("name", "quá dài")
	}
	if len(in.Password) < MinPasswordLen || len(in.Password) > MaxPasswordBytes {
		fe.Add("password", "từ 8 đến 72 ký tự")
	}
	email, ok := NormalizeEmail(in.Email)
	if !ok {
		fe.Add("email", emailProblem)
	}
	if err := s.validate(ctx, fe, in.Role, in.Unit); err != nil {
		return User{}, err
	}
	if err := fe.Err(); err != nil {
		return User{}, err
	}
	hash, err := s.hasher.Hash(in.Password)
	if err != nil {
		return User{}, err
	}
	now := s.now().UTC()
	u := User{Username: in.Username, Name: in.Name, Role: in.Role, Unit: in.Unit, Email: email, PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	if err := s.store.Create(ctx, u); err != nil {
		return User{}, err
	}
	return u, nil
}

// DisplayName returns the full name of username, for the signature lines
// of printed papers: staff names are known to staff. An unknown user (or
// one without a name) is shown by the username; a blank username by "".
func (s *Service) DisplayName(ctx context.Context, username string) (string, error) {
	if username == "" {
		return "", nil
	}
	u, err := s.store.User(ctx, username)
	if err != nil {
		if domain.KindOf(err) == domain.KindNotFound {
			return username, nil
		}
		return "", err
	}
	if u.Name == "" {
		return username, nil
	}
	return u.Name, nil
}

// errUserNotFound answers for an account outside the caller's scope.
var errUserNotFound = domain.NotFound("người dùng")

// Get returns one user (admin; an admin of a unit, users of its unit and
// below, else KindNotFound).
func (s *Service) Get(ctx context.Context, by Principal, username string) (User, error) {
	if err := by.RequireRole(RoleAdmin); err != nil {
		return User{}, err
	}
	u, err := s.store.User(ctx, username)
	if err != nil {
		return User{}, err
	}
	if ok, err := s.manages(ctx, by, u.Unit); err != nil {
		return User{}, err
	} else if !ok {
		return User{}, errUserNotFound
	}
	return u, nil
}

// Filter narrows a user list; empty fields do not narrow it.
type Filter struct {
	Role Role
	Unit string
	domain.Page
}

// List lists users (admin), by username. Returns KindValidation for an
// unknown role. An admin of a unit lists one unit of its scope (its own
// unless f.Unit names one below it; ErrForbidden outside).
func (s *Service) List(ctx context.Context, by Principal, f Filter) ([]User, int64, error) {
	if err := by.RequireRole(RoleAdmin); err != nil {
		return nil, 0, err
	}
	if f.Role != "" && !f.Role.Valid() {
		return nil, 0, domain.FieldErrors{"role": "phải là admin, clerk, officer, leader hoặc viewer"}.Err()
	}
	if by.Unit != "" && f.Unit == "" {
		f.Unit = by.Unit
	}
	if ok, err := s.manages(ctx, by, f.Unit); err != nil {
		return nil, 0, err
	} else if !ok {
		return nil, 0, domain.ErrForbidden
	}
	return s.store.List(ctx, f)
}

// Bootstrap creates user admin (role admin, no unit) with password when no
// user exists yet. It reports whether it created one.
func (s *Service) Bootstrap(ctx context.Context, password string) (bool, error) {
	if password == "" {
		return false, nil
	}
	n, err := s.store.Count(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	_, err = s.Create(ctx, Principal{}, true, NewUser{Username: "admin", Name: "Quản trị hệ thống", Role: RoleAdmin, Password: password})
	if domain.KindOf(err) == domain.KindConflict {
		return false, nil
	}
	return err == nil, err
}
