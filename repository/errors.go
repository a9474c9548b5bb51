package repository

import (
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain"
)

// translate turns GORM and driver errors into domain kinds so nothing above
// this package sees gorm. Requires gorm.Config{TranslateError: true}. what is
// the Vietnamese name of the thing, for the message ("hồ sơ", "thủ tục").
func translate(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return domain.NotFound(what)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return &domain.Error{Kind: domain.KindConflict, Message: "Đã tồn tại " + what + " với mã này", Err: err}
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return &domain.Error{Kind: domain.KindValidation, Message: "Dữ liệu tham chiếu không tồn tại", Err: err}
	default:
		var de *domain.Error
		if errors.As(err, &de) {
			return err
		}
		return fmt.Errorf("%s store: %w", what, err) // remains KindInternal
	}
}
