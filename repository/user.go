package repository

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/user"
)

type userRow struct {
	Username     string `gorm:"primaryKey"`
	Name         string
	Role         string
	UnitCode     *string
	Email        *string
	PasswordHash string
	Disabled     bool
	TokenVersion int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (userRow) TableName() string { return "users" }

func fromUser(u user.User) userRow {
	return userRow{Username: u.Username, Name: u.Name, Role: string(u.Role), UnitCode: nullable(u.Unit), Email: nullable(u.Email),
		PasswordHash: u.PasswordHash, Disabled: u.Disabled, TokenVersion: u.TokenVersion, CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC()}
}

func (r userRow) asDomain() user.User {
	return user.User{Username: r.Username, Name: r.Name, Role: user.Role(r.Role), Unit: deref(r.UnitCode), Email: deref(r.Email),
		PasswordHash: r.PasswordHash, Disabled: r.Disabled, TokenVersion: r.TokenVersion, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// UserStore implements user.Store.
type UserStore struct {
	db   *gorm.DB
	inTx bool // db is a transaction (InTx)
}

var _ user.Store = (*UserStore)(nil)

// NewUserStore returns a user store over db.
func NewUserStore(db *gorm.DB) *UserStore { return &UserStore{db: db} }

// InTx implements user.Store.
func (s *UserStore) InTx(ctx context.Context, fn func(tx user.Store) error) error {
	return transaction(ctx, s.db, func(tx *gorm.DB) error {
		return fn(&UserStore{db: tx, inTx: true})
	})
}

// write runs fn in s's transaction, or in a new one outside InTx.
func (s *UserStore) write(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if s.inTx {
		return fn(conn(ctx, s.db))
	}
	return transaction(ctx, s.db, fn)
}

// User implements user.Store.
func (s *UserStore) User(ctx context.Context, username string) (user.User, error) {
	var r userRow
	if err := conn(ctx, s.db).Where("username = ?", username).Take(&r).Error; err != nil {
		return user.User{}, translate(err, "người dùng")
	}
	return r.asDomain(), nil
}

// List implements user.Store.
func (s *UserStore) List(ctx context.Context, f user.Filter) ([]user.User, int64, error) {
	q := conn(ctx, s.db).Model(&userRow{})
	if f.Role != "" {
		q = q.Where("role = ?", string(f.Role))
	}
	if f.Unit != "" {
		q = q.Where("unit_code = ?", f.Unit)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "người dùng")
	}
	var rows []userRow
	if err := q.Order("username").Offset(f.Offset()).Limit(f.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "người dùng")
	}
	out := make([]user.User, len(rows))
	for i, r := range rows {
		out[i] = r.asDomain()
	}
	return out, total, nil
}

// Create implements user.Store.
func (s *UserStore) Create(ctx context.Context, u user.User) error {
	r := fromUser(u)
	return translate(s.write(ctx, func(tx *gorm.DB) error { return tx.Create(&r).Error }), "người dùng")
}

// userUpdateLock is the PostgreSQL advisory lock of LockAdmins.
const userUpdateLock = 7_246_131_002

// LockAdmins implements user.Store: a transaction-scoped advisory lock on
// PostgreSQL. SQLite needs none: its write transactions begin immediately
// and run one at a time (transaction).
func (s *UserStore) LockAdmins(ctx context.Context) error {
	if !s.inTx || Dialect(s.db) != "postgres" {
		return nil
	}
	return translate(conn(ctx, s.db).Exec("SELECT pg_advisory_xact_lock(?)", userUpdateLock).Error, "người dùng")
}

// LockUser implements user.Store: SELECT … FOR UPDATE on PostgreSQL; on
// SQLite the write transaction already excludes every other writer.
func (s *UserStore) LockUser(ctx context.Context, username string) (user.User, error) {
	q := conn(ctx, s.db).Where("username = ?", username)
	if s.inTx && Dialect(s.db) == "postgres" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var r userRow
	if err := q.Take(&r).Error; err != nil {
		return user.User{}, translate(err, "người dùng")
	}
	return r.asDomain(), nil
}

// CountProvinceAdmins implements user.Store.
func (s *UserStore) CountProvinceAdmins(ctx context.Context) (int64, error) {
	var n int64
	err := conn(ctx, s.db).Model(&userRow{}).
		Where("role = ? AND disabled = ? AND unit_code IS NULL", string(user.RoleAdmin), false).Count(&n).Error
	return n, translate(err, "người dùng")
}

// Update implements user.Store.
func (s *UserStore) Update(ctx context.Context, u user.User) error {
	w := fromUser(u)
	set := map[string]any{"name": w.Name, "role": w.Role, "unit_code": w.UnitCode, "email": w.Email, "password_hash": w.PasswordHash,
		"disabled": w.Disabled, "updated_at": w.UpdatedAt}
	var n int64
	err := s.write(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&userRow{}).Where("username = ?", u.Username).Updates(set)
		n = res.RowsAffected
		return res.Error
	})
	if err == nil && n == 0 {
		err = gorm.ErrRecordNotFound
	}
	return translate(err, "người dùng")
}

// SetPassword implements user.Store.
func (s *UserStore) SetPassword(ctx context.Context, username, oldHash, newHash string, at time.Time) error {
	var n int64
	err := s.write(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&userRow{}).Where("username = ? AND password_hash = ?", username, oldHash).
			Updates(map[string]any{"password_hash": newHash, "token_version": gorm.Expr("token_version + 1"), "updated_at": at.UTC()})
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return translate(err, "người dùng")
	}
	if n == 0 {
		return &domain.Error{Kind: domain.KindConflict, Message: "Mật khẩu vừa được thay đổi ở nơi khác; vui lòng thử lại"}
	}
	return nil
}

// BumpTokenVersion implements user.Store.
func (s *UserStore) BumpTokenVersion(ctx context.Context, username string) error {
	var n int64
	err := s.write(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&userRow{}).Where("username = ?", username).UpdateColumn("token_version", gorm.Expr("token_version + 1"))
		n = res.RowsAffected
		return res.Error
	})
	if err == nil && n == 0 {
		err = gorm.ErrRecordNotFound
	}
	return translate(err, "người dùng")
}

// Count implements user.Store.
func (s *UserStore) Count(ctx context.Context) (int64, error) {
	var n int64
	err := conn(ctx, s.db).Model(&userRow{}).Count(&n).Error
	return n, translate(err, "người dùng")
}
