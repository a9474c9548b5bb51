package api

import (
	"context"
	"path"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/audit"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

// AuditService keeps the audit trail (domain/audit).
type AuditService interface {
	// Record writes an entry before the answer goes out (admin actions).
	Record(ctx context.Context, e audit.Entry) error
	// Enqueue hands an entry to the asynchronous writer without waiting
	// (reads, logins): a full buffer drops it and counts the drop.
	Enqueue(e audit.Entry)
	// Flush waits until what is queued has been written.
	Flush(ctx context.Context)
	List(ctx context.Context, p user.Principal, f audit.Filter) ([]audit.Entry, error)
	// Dropped is how many entries a full buffer dropped.
	Dropped() uint64
}

// entry is an audit entry about the request in c: its caller (if any),
// and the client address as the server sees it (X-Forwarded-For only from
// MOTCUA_TRUSTED_PROXIES).
func entry(c *gin.Context, action audit.Action, subject string) audit.Entry {
	e := audit.Entry{Action: action, Subject: subject, IP: c.ClientIP()}
	if v, ok := c.Get(ctxPrincipal); ok {
		if p, ok := v.(user.Principal); ok {
			e.Actor, e.Role = p.Username, string(p.Role)
		}
	}
	return e
}

// record writes e synchronously. The action is done by then: a failure to
// write is logged (without the entry's content) and the answer stands.
func (e env) record(c *gin.Context, en audit.Entry) {
	if e.audit == nil {
		return
	}
	if err := e.audit.Record(c.Request.Context(), en); err != nil {
		e.log.Error("audit entry not written", "action", string(en.Action), "err", err)
	}
}

// enqueue hands en to the asynchronous writer; it never waits.
func (e env) enqueue(en audit.Entry) {
	if e.audit != nil {
		e.audit.Enqueue(en)
	}
}

// audited records action synchronously after fn succeeds; subject names
// what it acted on.
func (e env) audited(action audit.Action, subject func(c *gin.Context, a answer) string, fn handlerFunc) handlerFunc {
	return func(c *gin.Context) (answer, error) {
		a, err := fn(c)
		if err == nil {
			e.record(c, entry(c, action, subject(c, a)))
		}
		return a, err
	}
}

// auditedRead records, without waiting, that the caller read the personal
// data of the item named by the path parameter param.
func (e env) auditedRead(action audit.Action, param string, fn handlerFunc) handlerFunc {
	return func(c *gin.Context) (answer, error) {
		a, err := fn(c)
		if err == nil {
			en := entry(c, action, c.Param(param))
			if action == audit.DossierPaperRead {
				en.Detail = path.Base(c.Request.URL.Path)
			}
			e.enqueue(en)
		}
		return a, err
	}
}

// auditedExport records a download (an answer that is not JSON) with the
// route as subject and the query as detail.
func (e env) auditedExport(fn handlerFunc) handlerFunc {
	return func(c *gin.Context) (answer, error) {
		a, err := fn(c)
		if err == nil && a.contentType != "" {
			en := entry(c, audit.Exported, c.Request.URL.Path)
			en.Detail = c.Request.URL.RawQuery
			e.record(c, en)
		}
		return a, err
	}
}

// param is a subject taken from a path parameter.
func param(name string) func(c *gin.Context, _ answer) string {
	return func(c *gin.Context, _ answer) string { return c.Param(name) }
}

// auditDTO is one entry of the trail.
type auditDTO struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Role    string    `json:"role"`
	Action  string    `json:"action"`
	Subject string    `json:"subject"`
	IP      string    `json:"ip"`
	Detail  string    `json:"detail"`
}

// auditList is a page of the trail and the cursor after it (null when
// the page is not full).
type auditList struct {
	Items      []auditDTO `json:"items"`
	PageSize   int        `json:"page_size"`
	NextCursor *string    `json:"next_cursor"`
}

type auditHandler struct {
	env
}

// list answers the trail newest first: province admins only, paged by
// cursor alone.
func (h *auditHandler) list(c *gin.Context) (answer, error) {
	if h.audit == nil {
		return answer{}, domain.NotFound("nhật ký")
	}
	p := principal(c)
	if err := p.RequireRole(user.RoleAdmin); err != nil || p.Unit != "" {
		return answer{}, domain.ErrForbidden
	}
	fe := domain.FieldErrors{}
	f := audit.Filter{Actor: c.Query("actor"), Action: audit.Action(c.Query("action")), Page: domain.Page{Page: 1, PageSize: 50}}
	if v := c.Query("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			fe.Add("page_size", "phải là số nguyên từ 1 đến 500")
		} else {
			f.Page.PageSize = n
		}
	}
	if v := c.Query("cursor"); v != "" {
		cur, ok := domain.ParseCursor(v)
		if !ok {
			fe.Add("cursor", "không phải next_cursor của một trang trước")
		} else {
			f.After = &cur
		}
	}
	f.From = h.instantParam(c, "from", false, fe)
	f.To = h.instantParam(c, "to", true, fe)
	if len(f.Actor) > 64 {
		fe.Add("actor", "tối đa 64 ký tự")
	}
	if err := fe.Err(); err != nil {
		return answer{}, err
	}
	// What was queued before this request is in the answer.
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	h.audit.Flush(ctx)
	cancel()
	items, err := h.audit.List(c.Request.Context(), p, f)
	if err != nil {
		return answer{}, err
	}
	out := auditList{Items: make([]auditDTO, len(items)), PageSize: f.Page.PageSize}
	for i, it := range items {
		out.Items[i] = auditDTO{ID: it.ID, At: it.At.In(h.loc), Actor: it.Actor, Role: it.Role, Action: string(it.Action),
			Subject: it.Subject, IP: it.IP, Detail: it.Detail}
	}
	if len(items) == f.Page.PageSize {
		next := audit.CursorAfter(items[len(items)-1]).String()
		out.NextCursor = &next
	}
	return ok(out), nil
}

// instantParam reads an RFC 3339 instant or a YYYY-MM-DD date in the
// service's zone (its start; with end, the start of the day after, so a
// date given as "to" includes that day).
func (e env) instantParam(c *gin.Context, name string, end bool, fe domain.FieldErrors) time.Time {
	v := c.Query(name)
	if v == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC()
	}
	d, err := worktime.ParseDate(v)
	if err != nil {
		fe.Add(name, "phải là thời điểm RFC 3339 hoặc ngày dạng YYYY-MM-DD")
		return time.Time{}
	}
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, e.loc)
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t.UTC()
}

// registerAuditMetrics exposes the audit buffer's drops.
func registerAuditMetrics(reg *prometheus.Registry, svc AuditService) {
	if svc == nil {
		return
	}
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "motcua_audit_dropped_total",
		Help: "Audit entries of reads dropped because the writer's buffer was full.",
	}, func() float64 { return float64(svc.Dropped()) }))
}

// createdUser, createdAgency and createdProcedure name what a create made.
func createdUser(_ *gin.Context, a answer) string {
	u, _ := a.body.(userDTO)
	return u.Username
}

func createdAgency(_ *gin.Context, a answer) string {
	d, _ := a.body.(agencyDTO)
	return d.Code
}

func createdProcedure(_ *gin.Context, a answer) string {
	d, _ := a.body.(procedureDTO)
	return d.Code
}
