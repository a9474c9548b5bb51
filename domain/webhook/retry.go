package webhook

import "time"

// Schedule is when failed deliveries are tried again: after failed attempt
// k the next comes Base·2^(k−1) later, never more than Cap, and after
// MaxAttempts failed attempts the delivery is dead. The same schedule
// serves webhooks, e-mail and SMS.
type Schedule struct {
	Base        time.Duration
	Cap         time.Duration
	MaxAttempts int
}

// DefaultSchedule is one minute doubling up to eight hours, twelve
// attempts: the last comes about a day after the first, long enough for a
// receiver to come back from a bad night.
var DefaultSchedule = Schedule{Base: time.Minute, Cap: 8 * time.Hour, MaxAttempts: 12}

// Delay is the wait after failed attempt k (1 for the first) before the
// next, without jitter. It doubles by repeated comparison instead of a
// shift, so a large k cannot overflow into a negative or tiny wait.
func (s Schedule) Delay(k int) time.Duration {
	if k < 1 {
		k = 1
	}
	d := s.Base
	for i := 1; i < k && d < s.Cap; i++ {
		d *= 2
	}
	if d > s.Cap {
		d = s.Cap
	}
	return d
}

// Next says what follows failed attempt k: dead when it was the last
// allowed, else the wait before the next attempt, Delay(k) plus up to 10 %
// more. jitter is a number in [0, 1) from the caller's random source (kept
// out of here so the rule stays a pure function); spreading the retries
// keeps the deliveries of a receiver that was down from all arriving in
// the same second when it comes back.
func (s Schedule) Next(k int, jitter float64) (wait time.Duration, dead bool) {
	if k >= s.MaxAttempts {
		return 0, true
	}
	if jitter < 0 || jitter >= 1 {
		jitter = 0
	}
	d := s.Delay(k)
	return d + time.Duration(float64(d)*0.1*jitter), false
}
