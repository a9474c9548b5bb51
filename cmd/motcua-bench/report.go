package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Verdicts printed beside a target.
const (
	verdictPass     = "PASS"
	verdictMiss     = "MISS"
	verdictMatch    = "MATCH"
	verdictMismatch = "MISMATCH"
)

// Ratio directions.
const (
	ratioMF = "motcua/floor" // throughput: higher is better
	ratioFM = "floor/motcua" // latency: higher is better
)

// figure is one line of the table.
type figure struct {
	Name      string   `json:"name"`
	Unit      string   `json:"unit"`
	Motcua    *float64 `json:"motcua"`
	Floor     *float64 `json:"floor,omitempty"`
	Ratio     *float64 `json:"ratio,omitempty"`
	RatioKind string   `json:"ratio_kind,omitempty"`
	Target    string   `json:"target,omitempty"`
	Verdict   string   `json:"verdict,omitempty"`
	Note      string   `json:"note,omitempty"`
}

// machine describes where the run happened.
type machine struct {
	CPUs      int    `json:"cpus"`
	CPUModel  string `json:"cpu_model"`
	MemoryMB  int64  `json:"memory_mb"`
	Kernel    string `json:"kernel"`
	GoVersion string `json:"go_version"`
	Database  string `json:"database"`
	// LoadAvg is /proc/loadavg when the run started: other work on the
	// machine skews every figure.
	LoadAvg string `json:"load_average_at_start"`
}

// report is the whole run, as printed and as written with -out.
type report struct {
	Started   time.Time         `json:"started"`
	Command   string            `json:"command"`
	Engine    string            `json:"engine"`
	Dossiers  int64             `json:"dossiers"`
	Warmup    string            `json:"warmup"`
	Duration  string            `json:"duration"`
	Machine   machine           `json:"machine"`
	Figures   []figure          `json:"figures"`
	PeakRSSMB map[string]int64  `json:"server_peak_rss_mb"`
	Errors    map[string]int    `json:"server_5xx_by_route,omitempty"`
	Problems  []string          `json:"problems,omitempty"`
	Extra     map[string]string `json:"extra,omitempty"`
	// CPU is, per measured load, the average CPUs each process group used:
	// the server, PostgreSQL (the primary's postmaster and its children),
	// its streaming replica, the lookup floor, this load generator, and
	// everything else on the machine ("other": work that disturbed the run).
	CPU      map[string]map[string]float64 `json:"cpu_cores,omitempty"`
	cpuOrder []string
}

func num(v float64) *float64 { return &v }

// add appends a figure; ratio is computed when both values are there.
func (r *report) add(f figure) {
	if f.Motcua != nil && f.Floor != nil && f.RatioKind != "" {
		m, fl := *f.Motcua, *f.Floor
		switch f.RatioKind {
		case ratioMF:
			if fl > 0 {
				f.Ratio = num(m / fl)
			}
		case ratioFM:
			if m > 0 {
				f.Ratio = num(fl / m)
			}
		}
	}
	r.Figures = append(r.Figures, f)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func mb(kb int64) float64 { return float64(kb) / 1024 }

// format prints a value with a precision that suits its size.
func format(v *float64) string {
	if v == nil {
		return "—"
	}
	x := *v
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return "—"
	case math.Abs(x) >= 1000:
		return thousands(int64(math.Round(x)))
	case math.Abs(x) >= 100:
		return fmt.Sprintf("%.0f", x)
	case math.Abs(x) >= 10:
		return fmt.Sprintf("%.1f", x)
	default:
		return fmt.Sprintf("%.2f", x)
	}
}

// thousands formats n with comma separators.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// print writes the table.
func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "\nmotcua-bench: %s, %s dossiers, %s measured after %s warm-up\n", r.Machine.Database, thousands(r.Dossiers), r.Duration, r.Warmup)
	fmt.Fprintf(w, "machine: %d CPU (%s), %s MB RAM, %s, %s\n", r.Machine.CPUs, r.Machine.CPUModel, thousands(r.Machine.MemoryMB), r.Machine.Kernel, r.Machine.GoVersion)
	fmt.Fprintf(w, "load average at start: %s\n", r.Machine.LoadAvg)
	fmt.Fprintln(w, "ratio: motcua/floor for throughput, floor/motcua for latency — 1.00 means as fast as the floor, higher is better")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tunit\tmotcua\tfloor\tratio\ttarget\tverdict")
	for _, f := range r.Figures {
		ratio := "—"
		if f.Ratio != nil {
			ratio = fmt.Sprintf("%.2f", *f.Ratio)
		}
		verdict := f.Verdict
		if f.Note != "" {
			verdict = strings.TrimSpace(verdict + " " + f.Note)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Name, f.Unit, format(f.Motcua), format(f.Floor), ratio, f.Target, verdict)
	}
	tw.Flush()
	fmt.Fprint(w, "server peak RSS (MB):")
	for _, k := range slices.Sorted(maps.Keys(r.PeakRSSMB)) {
		fmt.Fprintf(w, " %s %d;", k, r.PeakRSSMB[k])
	}
	fmt.Fprintln(w)
	if len(r.cpuOrder) > 0 {
		fmt.Fprintf(w, "CPUs used during each load (of %d):\n", r.Machine.CPUs)
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  load\tserver\tpostgres\treplica\tlookup floor\tbench\tother processes")
		opt := func(c map[string]float64, k string) string {
			if v, ok := c[k]; ok {
				return fmt.Sprintf("%.2f", v)
			}
			return "—"
		}
		for _, k := range r.cpuOrder {
			c := r.CPU[k]
			fmt.Fprintf(tw, "  %s\t%.2f\t%.2f\t%s\t%s\t%.2f\t%.2f\n", k, c["server"], c["postgres"], opt(c, "replica"),
				opt(c, "floor"), c["bench"], c["other"])
		}
		tw.Flush()
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(w, "server 5xx answers by route: %v\n", r.Errors)
	}
	for _, p := range r.Problems {
		fmt.Fprintln(w, "PROBLEM:", p)
	}
}

// writeJSON writes the report to path.
func (r *report) writeJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// loadAvg is the 1, 5 and 15-minute load averages.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// readMachine describes this machine from /proc.
func readMachine() machine {
	m := machine{}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			switch strings.TrimSpace(k) {
			case "processor":
				m.CPUs++
			case "model name":
				if m.CPUModel == "" {
					m.CPUModel = strings.TrimSpace(v)
				}
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				var kb int64
				fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
				m.MemoryMB = kb / 1024
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(b))
	}
	return m
}
