package user

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/motcua/motcua/domain"
)

// The login back-off per account, whatever the client address.
const (
	// loginFailures within loginWindow lock a username for loginFirstLock.
	loginFailures = 5
	loginWindow   = 15 * time.Minute
	// Each further failure after a lock doubles it, up to loginMaxLock.
	loginFirstLock = time.Minute
	loginMaxLock   = 15 * time.Minute
	// loginEntries bounds the usernames remembered at once.
	loginEntries = 10_000
)

// throttle counts failed logins per username (known or not, so a lock tells
// nothing about whether the account exists). It is in memory, per process:
// several instances each keep their own count. Entries are forgotten once
// they are idle for a window after their last failure and lock, and the map
// never grows past max.
type throttle struct {
	now func() time.Time
	max int

	mu      sync.Mutex
	entries map[string]*strikes
	swept   time.Time
}

type strikes struct {
	recent []time.Time // failures before the first lock, within the window
	level  int         // locks so far; 0 before the first
	until  time.Time   // end of the current lock
	last   time.Time   // the latest failure
}

func newThrottle(now func() time.Time, max int) *throttle {
	return &throttle{now: now, max: max, entries: map[string]*strikes{}, swept: now()}
}

// lockFor is the lock after the level-th lock-worthy failure.
func lockFor(level int) time.Duration {
	if level > 5 {
		return loginMaxLock
	}
	return min(loginFirstLock<<(level-1), loginMaxLock)
}

// idle reports whether e can be forgotten at now.
func (e *strikes) idle(now time.Time) bool {
	last := e.last
	if e.until.After(last) {
		last = e.until
	}
	return !now.Before(e.until) && now.Sub(last) >= loginWindow
}

// begin is called before a password is checked. While key is locked it
// answers how long the lock lasts. Otherwise it counts the attempt as a
// failure in advance (a success then calls succeed), so concurrent guesses
// cannot slip past the count while their passwords are being checked.
func (t *throttle) begin(key string) (time.Duration, bool) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if now.Sub(t.swept) >= time.Minute {
		t.sweep(now)
	}
	e := t.entries[key]
	if e != nil && now.Before(e.until) {
		return e.until.Sub(now), true
	}
	if e == nil {
		if len(t.entries) >= t.max {
			t.sweep(now)
			if len(t.entries) >= t.max {
				t.evict(now)
			}
		}
		e = &strikes{}
		t.entries[key] = e
	}
	e.last = now
	if e.level > 0 {
		e.level++
		e.until = now.Add(lockFor(e.level))
		return 0, false
	}
	kept := e.recent[:0]
	for _, at := range e.recent {
		if now.Sub(at) < loginWindow {
			kept = append(kept, at)
		}
	}
	e.recent = append(kept, now)
	if len(e.recent) >= loginFailures {
		e.level, e.until, e.recent = 1, now.Add(lockFor(1)), nil
	}
	return 0, false
}

// succeed forgets key's failures.
func (t *throttle) succeed(key string) {
	t.mu.Lock()
	delete(t.entries, key)
	t.mu.Unlock()
}

func (t *throttle) sweep(now time.Time) {
	for k, e := range t.entries {
		if e.idle(now) {
			delete(t.entries, k)
		}
	}
	t.swept = now
}

// evict drops one entry to make room: an unlocked one before any lock in
// force, and among those the one whose lock ended (or ends) first, then the
// one whose last failure is oldest.
func (t *throttle) evict(now time.Time) {
	var victim string
	var best *strikes
	for k, e := range t.entries {
		if best == nil || lessWorth(e, best, now) {
			victim, best = k, e
		}
	}
	if best != nil {
		delete(t.entries, victim)
	}
}

// lessWorth reports whether a matters less than b at now.
func lessWorth(a, b *strikes, now time.Time) bool {
	la, lb := now.Before(a.until), now.Before(b.until)
	if la != lb {
		return !la
	}
	if !a.until.Equal(b.until) {
		return a.until.Before(b.until)
	}
	return a.last.Before(b.last)
}

func (t *throttle) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.entries)
}

// errLocked is the answer while a username is locked.
func errLocked(wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return &domain.Error{Kind: domain.KindRateLimited,
		Message: "Đăng nhập sai quá nhiều lần; vui lòng thử lại sau " + strconv.Itoa(secs) + " giây",
		Details: map[string]any{"retry_after_seconds": secs}}
}
