package domain_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/motcua/motcua/domain"
)

var escalating = domain.LockoutPolicy{Failures: 5, Window: 15 * time.Minute, Lock: time.Minute, MaxLock: 15 * time.Minute, Entries: 100}

func TestLockoutStaysBounded(t *testing.T) {
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	l := domain.NewLockout(escalating, func() time.Time { return now })
	for i := 0; i < 5; i++ {
		l.Begin("victim")
	}
	if _, _, locked := l.Begin("victim"); !locked {
		t.Fatal("five failures do not lock")
	}
	for i := 0; i < 1000; i++ { // a spray of made-up names
		l.Begin("spray" + strconv.Itoa(i))
	}
	if n := l.Size(); n > 100 {
		t.Fatalf("%d entries, the cap is 100", n)
	}
	if _, _, locked := l.Begin("victim"); !locked {
		t.Fatal("a spray of unlocked names evicted a lock in force")
	}
	now = now.Add(time.Minute + escalating.Window) // everything idle for a window
	l.Begin("late")
	if n := l.Size(); n != 1 {
		t.Fatalf("%d entries after they all went idle, want 1", n)
	}
}

func TestLockoutEscalates(t *testing.T) {
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	l := domain.NewLockout(escalating, func() time.Time { return now })
	for i := 0; i < 5; i++ {
		l.Begin("u")
	}
	if _, wait, locked := l.Begin("u"); !locked || wait != time.Minute {
		t.Fatalf("first lock: %v %v, want a minute", locked, wait)
	}
	now = now.Add(time.Minute)
	l.Begin("u") // one more failure after the lock: locked again, twice as long
	if _, wait, locked := l.Begin("u"); !locked || wait != 2*time.Minute {
		t.Fatalf("second lock: %v %v, want two minutes", locked, wait)
	}
	l.Reset("u")
	if _, _, locked := l.Begin("u"); locked {
		t.Fatal("a reset key is still locked")
	}
}

// The PIN brake: 10 wrong within 15 minutes lock the code for 15 minutes
// after the last failure; a right PIN takes back only its own attempt; once
// the lock ends the count starts afresh.
func TestPinLockout(t *testing.T) {
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	l := domain.NewLockout(domain.PinLockoutPolicy, func() time.Time { return now })
	for i := 0; i < 9; i++ {
		l.Begin("C")
		now = now.Add(time.Minute)
	}
	a, _, locked := l.Begin("C") // the right PIN, tenth attempt
	if locked {
		t.Fatal("locked before the tenth failure")
	}
	l.Forgive(a)
	if _, _, locked := l.Begin("C"); locked { // the tenth failure
		t.Fatal("a forgiven right PIN still counted")
	}
	last := now
	now = now.Add(14 * time.Minute)
	if _, wait, locked := l.Begin("C"); !locked || wait != time.Minute {
		t.Fatalf("14 minutes after the tenth failure: locked %v, wait %v; want locked for a minute", locked, wait)
	}
	now = last.Add(15 * time.Minute)
	if _, _, locked := l.Begin("C"); locked {
		t.Fatal("still locked 15 minutes after the last failure")
	}
	if _, _, locked := l.Begin("C"); locked {
		t.Fatal("one failure after the lock locks again: the count must start afresh")
	}
	// A window: failures older than 15 minutes no longer count.
	now = now.Add(time.Hour)
	for i := 0; i < 9; i++ {
		l.Begin("D")
	}
	now = now.Add(16 * time.Minute)
	if _, _, locked := l.Begin("D"); locked {
		t.Fatal("failures older than the window still count")
	}
	// Forgiving the attempt that set a lock lifts it.
	for i := 0; i < 8; i++ {
		l.Begin("E")
	}
	l.Begin("E")
	a, _, _ = l.Begin("E") // the tenth: locks
	l.Forgive(a)
	if _, _, locked := l.Begin("E"); locked {
		t.Fatal("the lock set by a right PIN was not lifted")
	}
}
