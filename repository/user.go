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
	PasswordHash string
	Disabled     bool
	TokenVersion int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (userRow) TableName() string { return "users" }

func fromUser(u user.User) userRow {
	return userRow{Username: u.Username, Name: u.Name, Role: string(u.Role), UnitCode: nullable(u.Unit),
		PasswordHash: u.PasswordHash, Disabled: u.Disabled, TokenVersion: u.TokenVersion, CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC()}
}

func (r userRow) asDomain() user.User {
	return user.User{Username: r.Username, Name: r.Name, Role: user.Role(r.Role), Unit: deref(r.UnitCode),
		PasswordHash: r.PasswordHash, Disabled: r.Disabled, TokenVersion: r.TokenVersion, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// UserStore implements user.Store.
type UserStore struct{ db *gorm.DB }

var _ user.Store = (*UserStore)(nil)

// NewUserStore returns a user store over db.
func NewUserStore(db *gorm.DB) *UserStore { return &UserStore{db: db} }

// User implements user.Store.
func (s *UserStore) User(ctx context.Context, username string) (user.User, error) {
	var r userRow
	if err := s.db.WithContext(ctx).Where("username = ?", username).Take(&r).Error; err != nil {
		return user.User{}, translate(err, "người dùng")
	}
	return r.asDomain(), nil
}

// List implements user.Store.
func (s *UserStore) List(ctx context.Context, role user.Role, unit string, offset, limit int) ([]user.User, int64, error) {
	q := s.db.WithContext(ctx).Model(&userRow{})
	if role != "" {
		q = q.Where("role = ?", string(role))
	}
	if unit != "" {
		q = q.Where("unit_code = ?", unit)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "người dùng")
	}
	var rows []userRow
	if err := q.Order("username").Offset(offset).Limit(limit).Find(&rows).Error; err != nil {
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
	return translate(s.db.WithContext(ctx).Create(&r).Error, "người dùng")
}

// userUpdateLock is the PostgreSQL advisory lock that serialises user
// updates, so the count of province-wide admins an update reads stays true
// until it commits. SQLite needs none: its write transactions begin
// immediately and run one at a time.
const userUpdateLock = 7_246_131_002

// Update implements user.Store.
func (s *UserStore) Update(ctx context.Context, username string, fn func(u *user.User, provinceAdmins int64) (bool, error)) (user.User, error) {
	var out user.User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Where("username = ?", username)
		if Dialect(tx) == "postgres" {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", userUpdateLock).Error; err != nil {
				return err
			}
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var r userRow
		if err := q.Take(&r).Error; err != nil {
			return err
		}
		var admins int64
		if err := tx.Model(&userRow{}).Where("role = ? AND disabled = ? AND unit_code IS NULL", string(user.RoleAdmin), false).
			Count(&admins).Error; err != nil {
			return err
		}
		u := r.asDomain()
		bump, err := fn(&u, admins)
		if err != nil {
			return err
		}
		w := fromUser(u)
		set := map[string]any{"name": w.Name, "role": w.Role, "unit_code": w.UnitCode, "password_hash": w.PasswordHash,
			"disabled": w.Disabled, "updated_at": w.UpdatedAt}
		if bump {
			set["token_version"] = gorm.Expr("token_version + 1")
			u.TokenVersion++
		}
		if err := tx.Model(&userRow{}).Where("username = ?", username).Updates(set).Error; err != nil {
			return err
		}
		out = u
		return nil
	})
	if err != nil {
		return user.User{}, translate(err, "người dùng")
	}
	return out, nil
}

// SetPassword implements user.Store.
func (s *UserStore) SetPassword(ctx context.Context, username, oldHash, newHash string, at time.Time) error {
	res := s.db.WithContext(ctx).Model(&userRow{}).Where("username = ? AND password_hash = ?", username, oldHash).
		Updates(map[string]any{"password_hash": newHash, "token_version": gorm.Expr("token_version + 1"), "updated_at": at.UTC()})
	if res.Error != nil {
		return translate(res.Error, "người dùng")
	}
	if res.RowsAffected == 0 {
		return &domain.Error{Kind: domain.KindConflict, Message: "Mật khẩu vừa được thay đổi ở nơi khác; vui lòng thử lại"}
	}
	return nil
}

// BumpTokenVersion implements user.Store.
func (s *UserStore) BumpTokenVersion(ctx context.Context, username string) error {
	res := s.db.WithContext(ctx).Model(&userRow{}).Where("username = ?", username).
		Update("token_version", gorm.Expr("token_version + 1"))
	if res.Error != nil {
		return translate(res.Error, "người dùng")
	}
	if res.RowsAffected == 0 {
		return translate(gorm.ErrRecordNotFound, "người dùng")
	}
	return nil
}

// Count implements user.Store.
func (s *UserStore) Count(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&userRow{}).Count(&n).Error
	return n, translate(err, "người dùng")
}
