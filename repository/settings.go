package repository

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type settingRow struct {
	Key   string `gorm:"primaryKey"`
	Value string
}

func (settingRow) TableName() string { return "settings" }

// DataKey returns the key kept in the database for keyed hashes (lookup
// pins), generating and storing one on first use. created reports whether
// this call made it. Concurrent first calls agree on one key.
func DataKey(ctx context.Context, db *gorm.DB) (key []byte, created bool, err error) {
	var r settingRow
	err = db.WithContext(ctx).Where("key = ?", "data_key").Take(&r).Error
	if err == nil {
		k, err := base64.StdEncoding.DecodeString(r.Value)
		return k, false, err
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, false, translate(err, "cấu hình")
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, false, err
	}
	r = settingRow{Key: "data_key", Value: base64.StdEncoding.EncodeToString(k)}
	res := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
	if res.Error != nil {
		return nil, false, translate(res.Error, "cấu hình")
	}
	if res.RowsAffected == 0 { // another instance won the race
		k, _, err := DataKey(ctx, db)
		return k, false, err
	}
	return k, true, nil
}
