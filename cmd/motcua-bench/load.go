package main

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// maxSamples bounds the latencies one measurement keeps (and so its
// memory): beyond it, requests still count but their latency is dropped.
const maxSamples = 5_000_000

// result is one measured load: how many requests succeeded and failed in
// the measurement window, over how long, and their latencies.
type result struct {
	OK       int64
	Failed   int64
	Elapsed  time.Duration
	samples  []time.Duration
	firstErr error
}

// Rate is successful requests a second over the window.
func (r *result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.OK) / r.Elapsed.Seconds()
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of the latencies by
// the nearest-rank method, 0 without samples.
func (r *result) Percentile(p float64) time.Duration {
	return percentile(r.samples, p)
}

// percentile returns the nearest-rank p-th percentile of d, sorting it in
// place.
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	if !sort.SliceIsSorted(d, func(i, j int) bool { return d[i] < d[j] }) {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	}
	rank := int(p/100*float64(len(d))+0.999999999) - 1
	if rank < 0 {
		rank = 0
	}
	if rank >= len(d) {
		rank = len(d) - 1
	}
	return d[rank]
}

// merge adds o into r.
func (r *result) merge(o *result) {
	r.OK += o.OK
	r.Failed += o.Failed
	if r.firstErr == nil {
		r.firstErr = o.firstErr
	}
	room := maxSamples - len(r.samples)
	if room > len(o.samples) {
		room = len(o.samples)
	}
	if room > 0 {
		r.samples = append(r.samples, o.samples[:room]...)
	}
}

// record counts one request that ended with err after d.
func (r *result) record(d time.Duration, err error) {
	if err != nil {
		r.Failed++
		if r.firstErr == nil {
			r.firstErr = err
		}
		return
	}
	r.OK++
	if len(r.samples) < maxSamples {
		r.samples = append(r.samples, d)
	}
}

// call is one request of a load: worker says which connection slot runs
// it, seq numbers the calls of that worker.
type call func(ctx context.Context, worker int, seq int64) error

// loadSpec bounds a load in time and count.
type loadSpec struct {
	Warmup   time.Duration
	Duration time.Duration
	// MaxCalls caps the calls of the whole load, warm-up included.
	MaxCalls int64
}

// closedLoop runs conns workers, each sending its next request as soon as
// the previous one answered, for spec.Warmup (not measured) and then
// spec.Duration (measured: latency from send to answer). No request starts
// after the window; the ones in flight at its end finish (they are not
// cut, which would make the server log errors) but do not count. It stops
// early when ctx ends or MaxCalls calls were made.
func closedLoop(ctx context.Context, conns int, spec loadSpec, fn call) *result {
	start := time.Now()
	measureFrom := start.Add(spec.Warmup)
	stopAt := measureFrom.Add(spec.Duration)
	var budget = newBudget(spec.MaxCalls)
	parts := make([]*result, conns)
	var wg sync.WaitGroup
	for w := 0; w < conns; w++ {
		parts[w] = &result{}
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			res := parts[w]
			for seq := int64(0); ctx.Err() == nil && time.Now().Before(stopAt) && budget.take(); seq++ {
				t0 := time.Now()
				err := fn(ctx, w, seq)
				t1 := time.Now()
				if t0.Before(measureFrom) || t1.After(stopAt) || ctx.Err() != nil {
					continue // warm-up, past the window, or interrupted
				}
				res.record(t1.Sub(t0), err)
			}
		}(w)
	}
	wg.Wait()
	out := &result{}
	for _, p := range parts {
		out.merge(p)
	}
	end := time.Now()
	if end.After(stopAt) {
		end = stopAt
	}
	out.Elapsed = end.Sub(measureFrom)
	if out.Elapsed < 0 {
		out.Elapsed = 0
	}
	return out
}

// openLoop sends rate requests a second on a fixed schedule, whatever the
// answers do, for spec.Warmup and then spec.Duration. Each request's
// latency runs from its scheduled send time, so a slow answer that delays
// later sends counts against them too (no coordinated omission). At most
// maxInFlight requests run at once; the ones waiting for a slot are late
// and their wait is part of their latency. Answers still owed after the
// last send are waited for (each request has its client's timeout).
func openLoop(ctx context.Context, rate, maxInFlight int, spec loadSpec, fn call) *result {
	if rate <= 0 {
		return &result{}
	}
	interval := time.Second / time.Duration(rate)
	total := int64((spec.Warmup + spec.Duration) / interval)
	if spec.MaxCalls > 0 && total > spec.MaxCalls {
		total = spec.MaxCalls
	}
	warmCalls := int64(spec.Warmup / interval)
	start := time.Now()
	type job struct {
		seq   int64
		sched time.Time
	}
	jobs := make(chan job, total+1)
	parts := make([]*result, maxInFlight)
	var wg sync.WaitGroup
	for w := 0; w < maxInFlight; w++ {
		parts[w] = &result{}
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for j := range jobs {
				if ctx.Err() != nil {
					continue // interrupted
				}
				err := fn(ctx, w, j.seq)
				if j.seq < warmCalls {
					continue
				}
				parts[w].record(time.Since(j.sched), err)
			}
		}(w)
	}
	timer := time.NewTimer(0)
	<-timer.C
	for i := int64(0); i < total && ctx.Err() == nil; i++ {
		sched := start.Add(time.Duration(i) * interval)
		if d := time.Until(sched); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C:
			case <-ctx.Done():
			}
		}
		jobs <- job{seq: i, sched: sched}
	}
	close(jobs)
	wg.Wait()
	out := &result{}
	for _, p := range parts {
		out.merge(p)
	}
	out.Elapsed = spec.Duration
	return out
}

// budget hands out at most n calls across goroutines (n ≤ 0: unlimited).
type budget struct {
	mu   sync.Mutex
	left int64
	cap  bool
}

func newBudget(n int64) *budget { return &budget{left: n, cap: n > 0} }

func (b *budget) take() bool {
	if !b.cap {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.left <= 0 {
		return false
	}
	b.left--
	return true
}

// describeFailures says how many requests failed and the first reason.
func (r *result) describeFailures() string {
	if r.Failed == 0 {
		return ""
	}
	return fmt.Sprintf("%d failed (first: %v)", r.Failed, r.firstErr)
}
