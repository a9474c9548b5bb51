package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain/importer"
	"github.com/motcua/motcua/domain/stats"
)

// publicStatsHandler serves GET /api/v1/public/stats (no login): form 06 by
// handling agency for the province over a closed month, reduced to the
// published figures, kept per month for ttl.
type publicStatsHandler struct {
	svc   StatsService
	cache *publicStatsCache
	env
}

// publicFiguresDTO are the published figures of form 06: a row's or the
// total's, nothing else.
type publicFiguresDTO struct {
	ReceivedTotal int64   `json:"received_total"`
	ResolvedTotal int64   `json:"resolved_total"`
	OnTimeRate    rateDTO `json:"on_time_rate"`
	OnlineRate    rateDTO `json:"online_rate"`
	OnSpotRate    rateDTO `json:"on_spot_rate"`
}

func toPublicFigures(c stats.Counts) publicFiguresDTO {
	return publicFiguresDTO{ReceivedTotal: c.ReceivedTotal(), ResolvedTotal: c.ResolvedTotal,
		OnTimeRate: toRateDTO(c.OnTimeRate()), OnlineRate: toRateDTO(c.OnlineRate()), OnSpotRate: toRateDTO(c.OnSpotRate())}
}

type publicAgencyFiguresDTO struct {
	AgencyCode string `json:"agency_code"`
	Name       string `json:"name"`
	publicFiguresDTO
}

type publicStatsDTO struct {
	Period     periodDTO                `json:"period"`
	ComputedAt time.Time                `json:"computed_at"`
	Total      publicFiguresDTO         `json:"total"`
	Agencies   []publicAgencyFiguresDTO `json:"agencies"`
}

func toPublicStatsDTO(f stats.Form06, at time.Time, loc *time.Location) publicStatsDTO {
	d := publicStatsDTO{Period: toPeriodDTO(f.Period, loc), ComputedAt: at.In(loc), Total: toPublicFigures(f.Total),
		Agencies: make([]publicAgencyFiguresDTO, len(f.Rows))}
	for i, r := range f.Rows {
		d.Agencies[i] = publicAgencyFiguresDTO{AgencyCode: r.Group, Name: r.Name, publicFiguresDTO: toPublicFigures(r.Counts)}
	}
	return d
}

// publicStatsAnswer is one month's answer as sent: the JSON body, its
// strong ETag, and when it was computed.
type publicStatsAnswer struct {
	body []byte
	etag string
	at   time.Time
}

// publicStatsCache keeps each month's answer for ttl (0: computed on every
// request). One request computes a month while the others asking for it
// wait; other months are not held up. clear discards every answer: a
// computation still running when it is called serves its own request and
// is not kept.
type publicStatsCache struct {
	ttl time.Duration
	now func() time.Time

	mu     sync.Mutex
	months map[string]*publicStatsEntry
}

type publicStatsEntry struct {
	mu     sync.Mutex
	answer *publicStatsAnswer
}

// maxPublicStatsMonths bounds the months kept: a client walking every month
// since 1900 does not grow memory without end.
const maxPublicStatsMonths = 240

func newPublicStatsCache(ttl time.Duration, now func() time.Time) *publicStatsCache {
	return &publicStatsCache{ttl: ttl, now: now, months: map[string]*publicStatsEntry{}}
}

// clear discards every kept answer (an import of dossiers changed history).
func (pc *publicStatsCache) clear() {
	pc.mu.Lock()
	pc.months = map[string]*publicStatsEntry{}
	pc.mu.Unlock()
}

// fresh reports whether a is younger than ttl at now.
func (pc *publicStatsCache) fresh(a *publicStatsAnswer, now time.Time) bool {
	return a != nil && !now.Before(a.at) && now.Sub(a.at) < pc.ttl
}

// get returns month's answer, computing it when none is kept or the kept
// one is older than ttl.
func (pc *publicStatsCache) get(month string, compute func() (*publicStatsAnswer, error)) (*publicStatsAnswer, error) {
	if pc.ttl <= 0 {
		return compute()
	}
	pc.mu.Lock()
	e, ok := pc.months[month]
	if !ok {
		if len(pc.months) >= maxPublicStatsMonths {
			now := pc.now()
			for k, old := range pc.months {
				if old.mu.TryLock() {
					stale := !pc.fresh(old.answer, now)
					old.mu.Unlock()
					if stale {
						delete(pc.months, k)
					}
				}
			}
			for k := range pc.months {
				if len(pc.months) < maxPublicStatsMonths {
					break
				}
				delete(pc.months, k)
			}
		}
		e = &publicStatsEntry{}
		pc.months[month] = e
	}
	pc.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if pc.fresh(e.answer, pc.now()) {
		return e.answer, nil
	}
	a, err := compute()
	if err != nil {
		return nil, err
	}
	e.answer = a
	return a, nil
}

// imported discards the kept answers after an import of dossiers: history
// of closed months may have changed.
func (h *publicStatsHandler) imported(kind importer.Kind) {
	if kind == importer.Dossiers {
		h.cache.clear()
	}
}

// stats is GET /api/v1/public/stats?month=YYYY-MM.
func (h *publicStatsHandler) stats(c *gin.Context) (answer, error) {
	in := stats.PeriodInput{Month: c.Query("month"), Quarter: c.Query("quarter"), Half: c.Query("half"),
		Year: c.Query("year"), From: c.Query("from"), To: c.Query("to")}
	p, err := h.svc.PublicPeriod(in)
	if err != nil {
		return answer{}, err
	}
	// A closed month stays closed: the kept answer needs no other check.
	a, err := h.cache.get(p.Name, func() (*publicStatsAnswer, error) {
		f, err := h.svc.PublicMonth(c.Request.Context(), stats.PeriodInput{Month: p.Name})
		if err != nil {
			return nil, err
		}
		at := h.now()
		body, err := json.Marshal(toPublicStatsDTO(f, at, h.loc))
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		return &publicStatsAnswer{body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`, at: at}, nil
	})
	if err != nil {
		return answer{}, err
	}
	c.Header("ETag", a.etag)
	c.Header("Cache-Control", "public, max-age="+strconv.Itoa(h.maxAge(a)))
	if etagMatches(c.GetHeader("If-None-Match"), a.etag) {
		return answer{status: http.StatusNotModified}, nil
	}
	return answer{status: http.StatusOK, contentType: "application/json; charset=utf-8", data: a.body}, nil
}

// maxAge is what remains of a's life in the cache, in whole seconds: a
// shared cache downstream keeps it no longer than motcua does.
func (h *publicStatsHandler) maxAge(a *publicStatsAnswer) int {
	left := h.cache.ttl - h.now().Sub(a.at)
	if left <= 0 {
		return 0
	}
	return int((left + time.Second - 1) / time.Second)
}

// etagMatches reports whether an If-None-Match header names etag (or is
// "*"); as RFC 9110 says for If-None-Match, a weak tag W/"x" matches "x".
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
