package repository

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/user"
)

type userRow struct {
	Username     string `gorm:"primaryKey"`
	Name         string
	Role         string
	UnitCode     *string
	PasswordHash string
	Disabled     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (userRow) TableName() string { return "users" }

func fromUser(u user.User) userRow {
	return userRow{Username: u.Username, Name: u.Name, Role: string(u.Role), UnitCode: nullable(u.Unit),
		PasswordHash: u.PasswordHash, Disabled: u.Disabled, CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC()}
}

func (r userRow) asDomain() user.User {
	return user.User{Username: r.Username, Name: r.Name, Role: user.Role(r.Role), Unit: deref(r.UnitCode),
		PasswordHash: r.PasswordHash, Disabled: r.Disabled, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
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

// Update implements user.Store.
func (s *UserStore) Update(ctx context.Context, u user.User) error {
	r := fromUser(u)
	res := s.db.WithContext(ctx).Model(&userRow{}).Where("username = ?", u.Username).Updates(map[string]any{
		"name": r.Name, "role": r.Role, "unit_code": r.UnitCode, "password_hash": r.PasswordHash,
		"disabled": r.Disabled, "updated_at": r.UpdatedAt})
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
