package loadgen

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/worktime"
)

// OrdinalBase offsets the ordinals of generated codes, so the imported
// history never takes a code the demo seed or a registration hands out.
const OrdinalBase = 5000

// Generator makes a deterministic stream of dossiers over a world: the
// same seed, world and window give the same dossiers, in the same order.
type Generator struct {
	// CalendarDuePercent is the share (0 to 100) of received dossiers
	// whose line leaves the due time to the server's calendar; 0, the
	// default, draws nothing for it, so the stream is the same as without.
	CalendarDuePercent int
	// FlagPercent is the share (0 to 100) of received dossiers whose line
	// says digitised, of resolved ones e_result, and of received ones
	// paid_online (each drawn apart); 0, the default, draws nothing.
	FlagPercent int
	// OrdinalFrom moves the ordinals of the codes past OrdinalBase: a second
	// generator over days the first also filled takes codes the first never
	// does when it starts past the first's largest count of a unit-day.
	OrdinalFrom int

	w       *World
	cal     *worktime.Calendar
	rng     *rand.Rand
	start   time.Time // first local midnight of the window
	days    int
	now     time.Time
	weights []int // cumulative desk weights
	seq     map[string]int
}

// NewGenerator spreads dossiers over the days local midnight end-days to
// end (exclusive): nothing on end's day or later, so registrations during
// the run never meet an imported code. Nothing it makes happens after now.
func NewGenerator(w *World, seed uint64, end time.Time, days int, now time.Time) *Generator {
	g := &Generator{w: w, cal: w.Cal, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		start: end.AddDate(0, 0, -days), days: days, now: now, seq: map[string]int{}}
	if g.cal == nil {
		g.cal = worktime.NewCalendar(w.Loc)
	}
	total := 0
	for _, d := range w.Desks {
		total += d.Weight
		g.weights = append(g.weights, total)
	}
	return g
}

// Records returns the next n dossiers, for checks that need them all.
func (g *Generator) Records(n int) []Record {
	out := make([]Record, n)
	for i := range out {
		g.Next(&out[i])
	}
	return out
}

// Next fills r with the next dossier.
func (g *Generator) Next(r *Record) {
	g.fill(r)
	if g.CalendarDuePercent > 0 && !r.Received.IsZero() {
		r.CalendarDue = g.rng.IntN(100) < g.CalendarDuePercent
	}
	if g.FlagPercent > 0 && !r.Received.IsZero() {
		r.Digitised = g.rng.IntN(100) < g.FlagPercent
		r.EResult = !r.Resolved.IsZero() && g.rng.IntN(100) < g.FlagPercent
		r.PaidOnline = g.rng.IntN(100) < g.FlagPercent/2
	}
}

// fill draws a dossier: a desk by weight, one of its procedures, a day of
// the window and an office hour, a channel, an applicant, then its fate:
// refused at receipt, withdrawn, stopped, resolved (early, near the due
// time or late, sometimes on the spot) and mostly returned, or still in
// progress when now comes first.
func (g *Generator) fill(r *Record) {
	w := g.w
	x := g.rng.IntN(g.weights[len(g.weights)-1])
	di := 0
	for g.weights[di] <= x {
		di++
	}
	dk := w.Desks[di]
	p := dk.Procs[g.rng.IntN(len(dk.Procs))]
	day := g.start.AddDate(0, 0, g.rng.IntN(g.days))
	// Received during office hours, 07:00 to 16:59 local.
	recv := day.Add(7*time.Hour + time.Duration(g.rng.Int64N(int64(10*time.Hour))))
	*r = Record{Procedure: p.Code, Unit: dk.Unit, Agency: p.Agency, ProcValue: p.Value, ProcUnit: string(p.Unit)}
	switch c := g.rng.IntN(100); {
	case c < 30:
		r.Channel = "online"
	case c < 90:
		r.Channel = "direct"
	default:
		r.Channel = "postal"
	}
	date := worktime.DateOf(recv, w.Loc)
	key := dk.Unit + "|" + strconv.Itoa(date.Year*10000+int(date.Month)*100+date.Day)
	g.seq[key]++
	r.Code = dossier.FormatCode(dk.Unit, date, int64(OrdinalBase+g.OrdinalFrom+g.seq[key]))
	r.Applicant = NewApplicant(g.rng)
	r.Submitted = recv
	if r.Channel == "online" {
		// Sent online up to 2 hours before it was accepted, the same day.
		if early := recv.Sub(day.Add(7 * time.Hour)); early > 0 {
			r.Submitted = recv.Add(-time.Duration(g.rng.Int64N(int64(min(early, 2*time.Hour)) + 1)))
		}
	}
	due := dueAfter(g.cal, recv, p.Value, p.Unit)
	limit := g.now
	fate := g.rng.IntN(1000)
	switch {
	case r.Channel == "online" && fate < 40:
		// Refused at receipt: never received, so no clock.
		r.Status = "rejected"
		r.Rejected = minTime(r.Submitted.Add(time.Duration(1+g.rng.IntN(8))*time.Hour), limit)
		return
	case fate < 60:
		r.Status = "withdrawn"
		r.Received, r.Due = recv, due
		r.Withdrawn = recv.Add(time.Duration(g.rng.Float64() * float64(minTime(due, limit).Sub(recv))))
		return
	case fate < 70:
		r.Status = "stopped"
		r.Received, r.Due = recv, due
		r.Stopped = recv.Add(time.Duration(g.rng.Float64() * float64(minTime(due, limit).Sub(recv))))
		return
	}
	r.Received, r.Due = recv, due
	resolve := g.resolution(r, p, recv, due)
	if resolve.Before(limit) {
		r.Status, r.Resolved, r.Outcome = "resolved", resolve, "approved"
		if g.rng.IntN(100) < 3 {
			r.Outcome = "denied"
		}
		if g.rng.IntN(100) < 90 {
			if ret := resolve.Add(time.Duration(g.rng.Int64N(int64(72 * time.Hour)))); ret.Before(limit) {
				r.Status, r.Returned = "returned", ret
			}
		}
		return
	}
	switch c := g.rng.IntN(100); {
	case c < 8:
		r.Status = "received"
	case c < 16:
		r.Status = "supplement_requested"
	case c < 20:
		r.Status = "awaiting_payment"
	default:
		r.Status = "processing"
	}
}

// resolution draws when a received dossier is (or will be) resolved: half
// the direct dossiers of an on-the-spot procedure within hours at the
// counter (marking r on the spot), the rest mostly early or near the due
// time and some late.
func (g *Generator) resolution(r *Record, p Procedure, recv, due time.Time) time.Time {
	if p.OnSpotOK && r.Channel == "direct" && g.rng.IntN(2) == 0 {
		r.OnSpot = true
		return minTime(recv.Add(time.Duration(30+g.rng.IntN(150))*time.Minute), due)
	}
	var f float64
	switch c := g.rng.IntN(100); {
	case c < 35:
		f = 0.15 + 0.55*g.rng.Float64() // early
	case c < 93:
		f = 0.70 + 0.30*g.rng.Float64() // near the due time
	default:
		f = 1.0 + 0.6*g.rng.Float64() // late
	}
	return recv.Add(time.Duration(f * float64(due.Sub(recv))))
}

// minTime is the earlier of a and b.
func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
