package user

import (
	"strconv"
	"testing"
	"time"
)

func TestThrottleStaysBounded(t *testing.T) {
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	th := newThrottle(func() time.Time { return now }, 100)
	for i := 0; i < 5; i++ {
		th.begin("victim")
	}
	if _, locked := th.begin("victim"); !locked {
		t.Fatal("five failures do not lock")
	}
	for i := 0; i < 1000; i++ { // a spray of made-up names
		th.begin("spray" + strconv.Itoa(i))
	}
	if n := th.size(); n > 100 {
		t.Fatalf("%d entries, the cap is 100", n)
	}
	if _, locked := th.begin("victim"); !locked {
		t.Fatal("a spray of unlocked names evicted a lock in force")
	}
	now = now.Add(time.Minute + loginWindow) // everything idle for a window
	th.begin("late")
	if n := th.size(); n != 1 {
		t.Fatalf("%d entries after they all went idle, want 1", n)
	}
}
