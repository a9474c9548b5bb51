package main

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/motcua/motcua/cmd/internal/benchkit"
)

// Measuring the server from outside: resident memory and CPU from /proc.

// rssSample is one reading of the server's memory.
type rssSample struct {
	At    time.Duration // since the sampler started
	Phase string
	KB    int64
}

// rssSampler reads a process's VmRSS every 200 ms and keeps the peak of
// each phase of the run.
type rssSampler struct {
	pid     int
	start   time.Time
	mu      sync.Mutex
	phase   string
	peak    map[string]int64
	samples []rssSample
	hwm     int64
	stopc   chan struct{}
	done    chan struct{}
}

func newRSSSampler(pid int) *rssSampler {
	s := &rssSampler{pid: pid, start: time.Now(), phase: "startup", peak: map[string]int64{},
		stopc: make(chan struct{}), done: make(chan struct{})}
	go s.loop()
	return s
}

func (s *rssSampler) loop() {
	defer close(s.done)
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		s.sample()
		select {
		case <-s.stopc:
			return
		case <-t.C:
		}
	}
}

func (s *rssSampler) sample() {
	rss, hwm, err := benchkit.RSS(s.pid)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if rss > s.peak[s.phase] {
		s.peak[s.phase] = rss
	}
	if hwm > s.hwm {
		s.hwm = hwm
	}
	if len(s.samples) < 1_000_000 {
		s.samples = append(s.samples, rssSample{At: time.Since(s.start), Phase: s.phase, KB: rss})
	}
}

// setPhase labels the readings that follow (taking one at once).
func (s *rssSampler) setPhase(name string) {
	s.mu.Lock()
	s.phase = name
	s.mu.Unlock()
	s.sample()
}

// peakKB is the highest VmRSS read during phase.
func (s *rssSampler) peakKB(phase string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak[phase]
}

// hwmKB is the process's VmHWM (peak RSS over its life) at the last reading.
func (s *rssSampler) hwmKB() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hwm
}

// phaseSamples returns the readings of phase in order.
func (s *rssSampler) phaseSamples(phase string) []rssSample {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []rssSample
	for _, x := range s.samples {
		if x.Phase == phase {
			out = append(out, x)
		}
	}
	return out
}

func (s *rssSampler) stop() {
	select {
	case <-s.stopc:
	default:
		close(s.stopc)
	}
	<-s.done
}

// procCPU returns the CPU seconds pid used itself.
func procCPU(pid int) float64 {
	st, err := benchkit.ReadProcStat(pid)
	if err != nil {
		return 0
	}
	return st.Own
}

// treeCPU returns the CPU seconds of root and its direct children, alive
// or exited (once reaped, an exited child's time is in root's children
// time): for a PostgreSQL postmaster, the whole cluster.
func treeCPU(root int) float64 {
	st, err := benchkit.ReadProcStat(root)
	if err != nil {
		return 0
	}
	sum := st.Own + st.Children
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return sum
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if c, err := benchkit.ReadProcStat(pid); err == nil && c.PPID == root {
			sum += c.Own + c.Children
		}
	}
	return sum
}

// systemBusy returns the CPU seconds all CPUs spent not idle since boot
// (/proc/stat), to tell how much of the machine other work took.
func systemBusy() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return 0
	}
	var busy float64
	for i, v := range f[1:] {
		x, _ := strconv.ParseFloat(v, 64)
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		if i >= 8 { // guest time is already in user
			break
		}
		busy += x
	}
	return busy / benchkit.ClockTicks
}

// cpuMeter reads the CPU time of the processes of a run.
type cpuMeter struct {
	server, floor func() int // pids, 0 when not running
	postmaster    int        // the PostgreSQL cluster's, 0 on SQLite
	replica       int        // the streaming replica's postmaster, 0 when none
}

// cpuSnap is CPU seconds by process at one instant.
type cpuSnap struct {
	at                              time.Time
	floorPid                        int
	server, floor, loader, postgres float64
	replica, system                 float64
}

func (m cpuMeter) snap() cpuSnap {
	s := cpuSnap{at: time.Now(), system: systemBusy()}
	if m.postmaster > 0 {
		s.postgres = treeCPU(m.postmaster)
	}
	if m.replica > 0 {
		s.replica = treeCPU(m.replica)
	}
	if pid := m.server(); pid > 0 {
		s.server = procCPU(pid)
	}
	if pid := m.floor(); pid > 0 {
		s.floorPid = pid
		s.floor = procCPU(pid)
	}
	s.loader = procCPU(os.Getpid())
	return s
}

// cores is the average number of CPUs each group used between a and b;
// "other" is whatever else ran on the machine meanwhile.
func (a cpuSnap) cores(b cpuSnap) map[string]float64 {
	wall := b.at.Sub(a.at).Seconds()
	if wall <= 0 {
		return nil
	}
	d := func(x, y float64) float64 { return max(y-x, 0) }
	out := map[string]float64{
		"server":   d(a.server, b.server) / wall,
		"postgres": d(a.postgres, b.postgres) / wall,
		"bench":    d(a.loader, b.loader) / wall,
	}
	if b.replica > 0 {
		out["replica"] = d(a.replica, b.replica) / wall
	}
	ours := out["server"] + out["postgres"] + out["bench"] + out["replica"]
	if a.floorPid != 0 && a.floorPid == b.floorPid {
		out["floor"] = d(a.floor, b.floor) / wall
		ours += out["floor"]
	}
	out["other"] = max(d(a.system, b.system)/wall-ours, 0)
	return out
}
