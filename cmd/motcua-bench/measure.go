package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Measuring the server from outside: resident memory and CPU from /proc.

// rssKB reads the resident set size and its high-water mark of pid, in kB.
func rssKB(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		field, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		switch field {
		case "VmRSS":
			rss = v
		case "VmHWM":
			hwm = v
		}
	}
	return rss, hwm, nil
}

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
	rss, hwm, err := rssKB(s.pid)
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

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat CPU times (100 on
// every Linux this runs on).
const clockTicks = 100

// procStat is what the CPU meter reads of /proc/<pid>/stat.
type procStat struct {
	ppid int
	// own is the CPU seconds (user + system) of the process itself,
	// children those of its exited children it reaped (PostgreSQL's
	// postmaster reaps its backends and parallel workers).
	own, children float64
}

// readProcStat reads /proc/<pid>/stat.
func readProcStat(pid int) (procStat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, err
	}
	s := string(b)
	closing := strings.LastIndexByte(s, ')')
	if closing < 0 {
		return procStat{}, fmt.Errorf("bad stat")
	}
	f := strings.Fields(s[closing+1:])
	// After the comm: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
	if len(f) < 15 {
		return procStat{}, fmt.Errorf("bad stat")
	}
	v := func(i int) float64 {
		x, _ := strconv.ParseFloat(f[i], 64)
		return x / clockTicks
	}
	ppid, _ := strconv.Atoi(f[1])
	return procStat{ppid: ppid, own: v(11) + v(12), children: v(13) + v(14)}, nil
}

// procCPU returns the CPU seconds pid used itself.
func procCPU(pid int) float64 {
	st, err := readProcStat(pid)
	if err != nil {
		return 0
	}
	return st.own
}

// treeCPU returns the CPU seconds of root and its direct children, alive
// or exited (once reaped, an exited child's time is in root's children
// time): for a PostgreSQL postmaster, the whole cluster.
func treeCPU(root int) float64 {
	st, err := readProcStat(root)
	if err != nil {
		return 0
	}
	sum := st.own + st.children
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return sum
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if c, err := readProcStat(pid); err == nil && c.ppid == root {
			sum += c.own + c.children
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
	return busy / clockTicks
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
