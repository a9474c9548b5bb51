package web

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/feedback"
	"github.com/motcua/motcua/domain/stats"
	"github.com/motcua/motcua/domain/worktime"
)

// figures are the province's public figures: the last closed report month
// and the year so far per handling agency, from the statistics service (so
// equal to what a province viewer gets from the API), and the year's
// feedback. Aggregates only: no person's data.
type figures struct {
	UpdatedAt time.Time
	Month     stats.Form06
	From, To  worktime.Date
	Year      stats.Form06
	Feedback  stats.FeedbackReport
}

// publishedPage is one page of published answers.
type publishedPage struct {
	Items       []feedback.Feedback
	Page, Pages int
	Total       int64
}

// publishedPageSize is how many published answers a page shows.
const publishedPageSize = 10

// figureCache keeps the figures and the pages of published answers for ttl
// (0: computed on every request). One request computes while the others
// wait for it, so an expiry under load costs one computation.
type figureCache struct {
	ttl time.Duration
	now func() time.Time

	mu        sync.Mutex
	at        time.Time
	figs      *figures
	published map[int]publishedPage
	// html holds the rendered /cong-khai pages of figs: the page holds
	// no form and nothing of the request, so while the figures stand the
	// same bytes serve everyone.
	html map[int][]byte
}

func newFigureCache(ttl time.Duration, now func() time.Time) *figureCache {
	return &figureCache{ttl: ttl, now: now}
}

// get returns the figures and page of answers, computing what is missing
// or older than ttl.
func (fc *figureCache) get(ctx context.Context, page int, compute func(context.Context) (*figures, error),
	list func(context.Context, int) (publishedPage, error)) (*figures, publishedPage, error) {
	if fc.ttl <= 0 {
		f, err := compute(ctx)
		if err != nil {
			return nil, publishedPage{}, err
		}
		pp, err := list(ctx, page)
		return f, pp, err
	}
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if now := fc.now(); fc.figs == nil || now.Sub(fc.at) >= fc.ttl || now.Before(fc.at) {
		f, err := compute(ctx)
		if err != nil {
			return nil, publishedPage{}, err
		}
		fc.figs, fc.at, fc.published, fc.html = f, now, map[int]publishedPage{}, map[int][]byte{}
	}
	pp, ok := fc.published[page]
	if !ok {
		var err error
		if pp, err = list(ctx, page); err != nil {
			return nil, publishedPage{}, err
		}
		if len(fc.published) < 100 { // a crawler walking every page does not grow it without end
			fc.published[page] = pp
		}
	}
	return fc.figs, pp, nil
}

// rendered is the kept /cong-khai page for figs, if any.
func (fc *figureCache) rendered(page int, figs *figures) ([]byte, bool) {
	if fc.ttl <= 0 {
		return nil, false
	}
	fc.mu.Lock()
	defer fc.mu.Unlock()
	b, ok := fc.html[page]
	return b, ok && fc.figs == figs
}

// keep keeps b as the rendered page for figs, unless the figures were
// renewed since (a page of the old ones must not outlive them).
func (fc *figureCache) keep(page int, figs *figures, b []byte) {
	if fc.ttl <= 0 {
		return
	}
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.figs == figs && fc.html != nil && len(fc.html) < 100 {
		fc.html[page] = b
	}
}

// computeFigures asks the statistics service for the public periods.
func (p *Pages) computeFigures(ctx context.Context) (*figures, error) {
	now := p.now()
	month := stats.LastClosedMonth(now, p.d.CutoffDay, p.loc)
	from, to := stats.YearSoFar(now, p.d.CutoffDay, p.loc)
	f := &figures{UpdatedAt: now, From: from, To: to}
	var err error
	if f.Month, err = p.d.Stats.Dossiers(ctx, publicViewer, stats.Request{Period: stats.PeriodInput{Month: month.Name}}, stats.ByAgency); err != nil {
		return nil, err
	}
	year := stats.Request{Period: stats.PeriodInput{From: from.String(), To: to.String()}}
	if f.Year, err = p.d.Stats.Dossiers(ctx, publicViewer, year, stats.ByAgency); err != nil {
		return nil, err
	}
	if f.Feedback, err = p.d.Stats.Feedback(ctx, publicViewer, year); err != nil {
		return nil, err
	}
	return f, nil
}

// listPublished reads one page of published answers, newest first (the
// order of GET /api/v1/public/feedback).
func (p *Pages) listPublished(ctx context.Context, page int) (publishedPage, error) {
	items, total, err := p.d.Feedback.Published(ctx, feedback.PublicFilter{Page: domain.Page{Page: page, PageSize: publishedPageSize}})
	if err != nil {
		return publishedPage{}, err
	}
	pages := int((total + publishedPageSize - 1) / publishedPageSize)
	return publishedPage{Items: items, Page: page, Pages: pages, Total: total}, nil
}

// transparencyView is /cong-khai's data.
type transparencyView struct {
	F         *figures
	Published publishedPage
	Prev      string
	Next      string
}

// transparency is GET /cong-khai.
func (p *Pages) transparency(c *gin.Context) {
	page := 1
	if s := c.Query("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 10000 {
			p.renderError(c, "error", domain.FieldErrors{"page": "phải là số nguyên từ 1 đến 10000"}.Err(), nil)
			return
		}
		page = n
	}
	f, pp, err := p.figures.get(c.Request.Context(), page, p.computeFigures, p.listPublished)
	if err != nil {
		p.renderError(c, "error", err, nil)
		return
	}
	if b, ok := p.figures.rendered(page, f); ok {
		c.Data(http.StatusOK, "text/html; charset=utf-8", b)
		return
	}
	tv := transparencyView{F: f, Published: pp}
	if page > 1 {
		tv.Prev = "/cong-khai?page=" + strconv.Itoa(page-1) + "#published"
	}
	if page < pp.Pages {
		tv.Next = "/cong-khai?page=" + strconv.Itoa(page+1) + "#published"
	}
	b, ok := p.renderBytes(c, "transparency", view{Page: "transparency", Title: "Công khai kết quả giải quyết", Data: tv})
	if !ok {
		return
	}
	p.figures.keep(page, f, b)
	c.Data(http.StatusOK, "text/html; charset=utf-8", b)
}

// home is GET /: the lookup form, the way to feedback and the last closed
// month's province figures.
func (p *Pages) home(c *gin.Context) {
	f, _, err := p.figures.get(c.Request.Context(), 1, p.computeFigures, p.listPublished)
	if err != nil {
		p.renderError(c, "error", err, nil)
		return
	}
	v := p.formView(c, "home", "Trang chủ", nil)
	v.Data = f
	p.render(c, http.StatusOK, "home", v)
}
