package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/internal/benchkit"
)

func TestPercentileNearestRank(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- { // unsorted on purpose
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {1, time.Millisecond}, {0.1, time.Millisecond}} {
		if got := percentile(d, c.p); got != c.want {
			t.Errorf("p%v = %v, want %v", c.p, got, c.want)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("p50 of nothing = %v", got)
	}
	if got := percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("p99 of one = %v", got)
	}
}

func TestClosedLoopMeasuresOnlyTheWindow(t *testing.T) {
	var calls atomic.Int64
	spec := loadSpec{Warmup: 100 * time.Millisecond, Duration: 300 * time.Millisecond, MaxCalls: 1_000_000}
	start := time.Now()
	r := closedLoop(context.Background(), 4, spec, func(ctx context.Context, w int, seq int64) error {
		calls.Add(1)
		time.Sleep(2 * time.Millisecond)
		if seq%10 == 9 {
			return errors.New("boom")
		}
		return nil
	})
	el := time.Since(start)
	if el < 400*time.Millisecond || el > 2*time.Second {
		t.Fatalf("the loop ran %v, want about 400 ms", el)
	}
	if r.OK+r.Failed >= calls.Load() {
		t.Errorf("warm-up calls were counted: %d recorded of %d made", r.OK+r.Failed, calls.Load())
	}
	if r.OK == 0 || r.Failed == 0 || r.firstErr == nil {
		t.Fatalf("ok %d failed %d err %v", r.OK, r.Failed, r.firstErr)
	}
	if ratio := float64(r.Failed) / float64(r.OK+r.Failed); ratio < 0.05 || ratio > 0.15 {
		t.Errorf("failed share %.2f, want about 0.10", ratio)
	}
	if p := r.Percentile(50); p < 2*time.Millisecond || p > 50*time.Millisecond {
		t.Errorf("p50 %v, want ≥ the 2 ms each call sleeps", p)
	}
	if r.Elapsed < 250*time.Millisecond || r.Elapsed > 300*time.Millisecond {
		t.Errorf("elapsed %v, want the 300 ms window", r.Elapsed)
	}
	if rate := r.Rate(); rate < 200 || rate > 2100 {
		t.Errorf("rate %.0f/s, want about 4 workers / 2 ms", rate)
	}
}

func TestClosedLoopStopsAtMaxCalls(t *testing.T) {
	var calls atomic.Int64
	spec := loadSpec{Warmup: 0, Duration: 5 * time.Second, MaxCalls: 50}
	start := time.Now()
	closedLoop(context.Background(), 8, spec, func(context.Context, int, int64) error {
		calls.Add(1)
		return nil
	})
	if calls.Load() != 50 {
		t.Errorf("%d calls, want the cap of 50", calls.Load())
	}
	if time.Since(start) > time.Second {
		t.Errorf("the loop ran on after its cap")
	}
}

func TestClosedLoopStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	closedLoop(ctx, 2, loadSpec{Duration: 10 * time.Second, MaxCalls: 1 << 40}, func(ctx context.Context, _ int, _ int64) error {
		time.Sleep(time.Millisecond)
		return nil
	})
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("cancelled loop ran %v", el)
	}
}

// A server that answers slowly must not slow the open loop's schedule:
// the wait of the requests queued behind it counts in their latency.
func TestOpenLoopCountsQueueingFromTheSchedule(t *testing.T) {
	const service = 20 * time.Millisecond
	spec := loadSpec{Warmup: 0, Duration: 500 * time.Millisecond, MaxCalls: 1000}
	var calls atomic.Int64
	start := time.Now()
	// 100/s with one request at a time, each taking 20 ms: the server can
	// do 50/s, so the queue grows and latency must grow with it.
	r := openLoop(context.Background(), 100, 1, spec, func(context.Context, int, int64) error {
		calls.Add(1)
		time.Sleep(service)
		return nil
	})
	if calls.Load() != 50 {
		t.Fatalf("%d requests sent, want 100/s × 0.5 s = 50", calls.Load())
	}
	if r.OK != 50 {
		t.Fatalf("%d recorded, want 50", r.OK)
	}
	if el := time.Since(start); el < 50*service {
		t.Fatalf("finished in %v, before the queue could drain", el)
	}
	// The last request was scheduled at 490 ms and served after ~1 s.
	if p99 := r.Percentile(99); p99 < 400*time.Millisecond {
		t.Errorf("p99 %v hides the queueing (coordinated omission)", p99)
	}
	if p := r.Percentile(1); p < service || p > 10*service {
		t.Errorf("fastest request %v, want about the service time", p)
	}
}

func TestOpenLoopKeepsItsRate(t *testing.T) {
	spec := loadSpec{Warmup: 100 * time.Millisecond, Duration: 400 * time.Millisecond, MaxCalls: 10_000}
	var calls atomic.Int64
	r := openLoop(context.Background(), 200, 16, spec, func(context.Context, int, int64) error {
		calls.Add(1)
		time.Sleep(time.Millisecond)
		return nil
	})
	if calls.Load() != 100 {
		t.Errorf("%d requests, want 200/s × 0.5 s = 100", calls.Load())
	}
	if r.OK != 80 {
		t.Errorf("%d measured, want the 80 after the warm-up", r.OK)
	}
	if p50 := r.Percentile(50); p50 > 100*time.Millisecond {
		t.Errorf("p50 %v for a 1 ms call with spare capacity", p50)
	}
}

// The CPU meter sees the CPU time this process burns (checked against
// getrusage), however busy the machine is.
func TestCPUMeterSeesWork(t *testing.T) {
	m := cpuMeter{server: func() int { return 0 }, floor: func() int { return 0 }}
	used := func() float64 {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			t.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	r0 := used()
	a := m.snap()
	deadline := time.Now().Add(10 * time.Second)
	for used()-r0 < 0.3 && time.Now().Before(deadline) {
		for i := 0; i < 1_000_000; i++ {
			_ = i * i
		}
	}
	b := m.snap()
	want := used() - r0
	c := a.cores(b)
	got := c["bench"] * b.at.Sub(a.at).Seconds()
	if want < 0.3 || got < want-0.05-want/10 || got > want+0.05+want/10 {
		t.Errorf("the meter saw %.3f CPU s, getrusage %.3f", got, want)
	}
	if c["server"] != 0 || c["postgres"] != 0 || c["other"] < 0 {
		t.Errorf("cores %v", c)
	}
	if systemBusy() <= 0 {
		t.Error("no CPU time in /proc/stat")
	}
}

// An exited child's CPU time stays in its parent's tree (PostgreSQL's
// backends and parallel workers exit; their work must still count).
func TestTreeCPUKeepsExitedChildren(t *testing.T) {
	before := treeCPU(os.Getpid())
	cmd := exec.Command("sh", "-c", `i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done`)
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	child := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	if child < 0.05 {
		t.Fatalf("the child used only %.3f s", child)
	}
	if got := treeCPU(os.Getpid()) - before; got < child*0.8 {
		t.Errorf("the tree grew %.3f s, the exited child used %.3f s", got, child)
	}
	st, err := benchkit.ReadProcStat(os.Getpid())
	if err != nil || st.PPID != os.Getppid() {
		t.Errorf("stat of self: %+v, %v", st, err)
	}
}
