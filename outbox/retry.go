package outbox

import (
	"fmt"
	"hash/fnv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	dwebhook "github.com/motcua/motcua/domain/webhook"
)

// RetryPolicy schedules the queue's retries on the delivery schedule
// (MOTCUA_DELIVERY_RETRY_BASE doubling up to MOTCUA_DELIVERY_RETRY_CAP,
// up to 10 % jitter). How many attempts a job gets is its MaxAttempts,
// set when it is inserted; River discards it after the last.
type RetryPolicy struct {
	Schedule dwebhook.Schedule
	Now      func() time.Time // time.Now when nil
}

var _ river.ClientRetryPolicy = RetryPolicy{}

// NextRetry implements river.ClientRetryPolicy. job.Attempt is the number
// of the attempt that just failed (1 for the first).
func (p RetryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	return now().Add(p.Wait(job))
}

// Wait is how long after its failed attempt job is tried again. The
// jitter is drawn from the job's id and attempt rather than a random
// source, so a worker that records "next attempt at" in its log computes
// the very wait River will apply.
func (p RetryPolicy) Wait(job *rivertype.JobRow) time.Duration {
	s := p.Schedule
	s.MaxAttempts = job.Attempt + 1 // River decides when to stop; here only the wait
	h := fnv.New64a()
	_, _ = fmt.Fprintf(h, "%d/%d", job.ID, job.Attempt)
	wait, _ := s.Next(job.Attempt, float64(h.Sum64()>>11)/(1<<53))
	return wait
}

// LastAttempt reports whether the running attempt of job is its last: a
// worker whose attempt fails then marks its delivery dead.
func LastAttempt(job *rivertype.JobRow) bool { return job.Attempt >= job.MaxAttempts }

// Metrics are the counters the delivery workers keep.
type Metrics struct {
	// Deliveries counts attempts: kind webhook, email or sms; result
	// success, failure (to be tried again) or dead (the last failed).
	Deliveries *prometheus.CounterVec
	// Escalations counts the escalation events, by type.
	Escalations *prometheus.CounterVec
}

// NewMetrics returns the counters, to be registered on /metrics.
func NewMetrics() *Metrics {
	return &Metrics{
		Deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "motcua_deliveries_total",
			Help: "Delivery attempts of webhooks, e-mail and SMS, by kind and result (success, failure, dead)."},
			[]string{"kind", "result"}),
		Escalations: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "motcua_escalations_total",
			Help: "Escalation events recorded (due soon, overdue), by type."}, []string{"type"}),
	}
}

// Collectors lists the counters for registration.
func (m *Metrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m.Deliveries, m.Escalations}
}

// Result names an attempt's outcome for the deliveries counter.
func Result(ok bool, job *rivertype.JobRow) string {
	switch {
	case ok:
		return "success"
	case LastAttempt(job):
		return "dead"
	default:
		return "failure"
	}
}
