package user

import (
	"time"

	"github.com/motcua/motcua/domain"
)

// loginPolicy is the login back-off per account, whatever the client
// address: 5 failures within 15 minutes lock a username for a minute; each
// further failure after a lock doubles it, up to 15 minutes. Unknown
// usernames count too, so a lock tells nothing about whether an account
// exists.
var loginPolicy = domain.LockoutPolicy{Failures: 5, Window: 15 * time.Minute, Lock: time.Minute,
	MaxLock: 15 * time.Minute, Entries: 10_000}

// errLocked is the answer while a username is locked.
func errLocked(wait time.Duration) error {
	return domain.ErrLocked("Đăng nhập sai quá nhiều lần", wait)
}
