package domain

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// LockoutPolicy is when a Lockout locks a key: Failures within Window lock it
// for Lock. With MaxLock above Lock each further failure after a lock (once
// it ended) locks again at once for twice as long, up to MaxLock; otherwise
// the count starts afresh when a lock ends. Entries bounds the keys
// remembered at once.
type LockoutPolicy struct {
	Failures int
	Window   time.Duration
	Lock     time.Duration
	MaxLock  time.Duration
	Entries  int
}

// Lockout counts failures per key (a username, a dossier code) whatever the
// client address, so that many addresses together cannot guess a secret. It
// is in memory, per process: several instances each keep their own count.
// Entries are forgotten once idle for a window after their last failure and
// lock, and the map never grows past the policy's Entries.
type Lockout struct {
	p   LockoutPolicy
	now func() time.Time

	mu      sync.Mutex
	entries map[string]*strikes
	swept   time.Time
}

type strikes struct {
	recent []time.Time // failures within the window (before the first lock when escalating)
	level  int         // locks so far, when escalating
	until  time.Time   // end of the current lock
	lockAt time.Time   // the attempt that set it
	last   time.Time   // the latest failure
}

// Attempt is one check counted in advance by Begin; Forgive takes it back.
type Attempt struct {
	key string
	at  time.Time
}

// NewLockout returns a lockout with policy p on the clock now.
func NewLockout(p LockoutPolicy, now func() time.Time) *Lockout {
	if p.Entries <= 0 {
		p.Entries = 10_000
	}
	return &Lockout{p: p, now: now, entries: map[string]*strikes{}, swept: now()}
}

func (l *Lockout) escalates() bool { return l.p.MaxLock > l.p.Lock }

// lockFor is the lock after the level-th lock.
func (l *Lockout) lockFor(level int) time.Duration {
	if !l.escalates() || level <= 1 {
		return l.p.Lock
	}
	if level > 30 {
		return l.p.MaxLock
	}
	return min(l.p.Lock<<(level-1), l.p.MaxLock)
}

// idle reports whether e can be forgotten at now.
func (l *Lockout) idle(e *strikes, now time.Time) bool {
	last := e.last
	if e.until.After(last) {
		last = e.until
	}
	return !now.Before(e.until) && now.Sub(last) >= l.p.Window
}

// Begin is called before a secret is checked. While key is locked it
// answers how long the lock lasts. Otherwise it counts the attempt as a
// failure in advance (a success then calls Reset or Forgive), so that
// concurrent guesses cannot slip past the count while being checked.
func (l *Lockout) Begin(key string) (Attempt, time.Duration, bool) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) >= time.Minute {
		l.sweep(now)
	}
	e := l.entries[key]
	if e != nil && now.Before(e.until) {
		return Attempt{}, e.until.Sub(now), true
	}
	if e == nil {
		if len(l.entries) >= l.p.Entries {
			l.sweep(now)
			if len(l.entries) >= l.p.Entries {
				l.evict(now)
			}
		}
		e = &strikes{}
		l.entries[key] = e
	}
	e.last = now
	if e.level > 0 && l.escalates() {
		e.level++
		e.until, e.lockAt = now.Add(l.lockFor(e.level)), now
		return Attempt{key: key, at: now}, 0, false
	}
	kept := e.recent[:0]
	for _, at := range e.recent {
		if now.Sub(at) < l.p.Window && !at.Before(e.until) {
			kept = append(kept, at)
		}
	}
	e.recent = append(kept, now)
	if len(e.recent) >= l.p.Failures {
		e.level, e.until, e.lockAt = 1, now.Add(l.lockFor(1)), now
		if l.escalates() {
			e.recent = nil
		}
	}
	return Attempt{key: key, at: now}, 0, false
}

// Reset forgets every failure of key: a right password.
func (l *Lockout) Reset(key string) {
	l.mu.Lock()
	delete(l.entries, key)
	l.mu.Unlock()
}

// Forgive takes back the failure Begin counted for a: a right PIN, which
// does not wipe the wrong ones before it. A lock a set is lifted.
func (l *Lockout) Forgive(a Attempt) {
	if a.key == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entries[a.key]
	if e == nil {
		return
	}
	for i := len(e.recent) - 1; i >= 0; i-- {
		if e.recent[i].Equal(a.at) {
			e.recent = append(e.recent[:i], e.recent[i+1:]...)
			break
		}
	}
	if e.lockAt.Equal(a.at) && !e.until.IsZero() {
		e.until, e.lockAt = time.Time{}, time.Time{}
		e.level--
	}
	if len(e.recent) == 0 && e.level == 0 && e.until.IsZero() {
		delete(l.entries, a.key)
	}
}

func (l *Lockout) sweep(now time.Time) {
	for k, e := range l.entries {
		if l.idle(e, now) {
			delete(l.entries, k)
		}
	}
	l.swept = now
}

// evict drops one entry to make room: an unlocked one before any lock in
// force, and among those the one whose lock ended (or ends) first, then the
// one whose last failure is oldest.
func (l *Lockout) evict(now time.Time) {
	var victim string
	var best *strikes
	for k, e := range l.entries {
		if best == nil || lessWorth(e, best, now) {
			victim, best = k, e
		}
	}
	if best != nil {
		delete(l.entries, victim)
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

// Size is how many keys are remembered.
func (l *Lockout) Size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

// ErrLocked is the answer while a key is locked: KindRateLimited with the
// wait in whole seconds (at least 1), which the API sends as Retry-After.
func ErrLocked(msg string, wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return &Error{Kind: KindRateLimited, Message: msg + "; vui lòng thử lại sau " + strconv.Itoa(secs) + " giây",
		Details: map[string]any{"retry_after_seconds": secs}}
}

// PinLockoutPolicy is the brake on guessing a citizen's lookup PIN (or ID
// number) for one code: 10 wrong within 15 minutes lock the code for
// everyone, the right PIN included, until 15 minutes after the last failure.
var PinLockoutPolicy = LockoutPolicy{Failures: 10, Window: 15 * time.Minute, Lock: 15 * time.Minute, Entries: 100_000}

// PinKey is the lockout key of a code in a series ("dossier", "feedback"):
// codes are matched without regard to case or surrounding space, so neither
// changes the count.
func PinKey(series, code string) string {
	return series + ":" + strings.ToUpper(strings.TrimSpace(code))
}

// Guarded runs check, a citizen's secret check on key, under l: while key
// is locked it answers ErrLocked without calling check; a check that fails
// with KindNotFound (wrong PIN, wrong ID number or unknown code) counts as
// a failure, any other outcome is forgiven.
func (l *Lockout) Guarded(key string, check func() error) error {
	a, wait, locked := l.Begin(key)
	if locked {
		return ErrLocked("Tra cứu sai quá nhiều lần với mã này", wait)
	}
	err := check()
	if KindOf(err) != KindNotFound {
		l.Forgive(a)
	}
	return err
}
