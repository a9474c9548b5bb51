package open311

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/unicode/norm"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/feedback"
)

// Service requests: POST creates a feedback item, GET lists published ones.

// MaxBodyBytes is the largest form accepted.
const MaxBodyBytes = 1 << 20

// Limits of the form's own fields (the domain checks the rest).
const (
	maxDescription  = 4000 // characters of description
	maxDefaultTitle = 120  // characters of the title taken from description
	maxIgnored      = 2048 // characters of a field accepted and not kept
	maxIDs          = 1000 // service_request_id values in one GET
	maxList         = 1000 // items in one list
	window          = 90 * 24 * time.Hour
)

// formFields are the fields POST takes; true: kept (the others are
// accepted and dropped). Any other field is 400.
var formFields = map[string]bool{
	"service_code": true, "description": true, "attribute[title]": true, "attribute[agency_code]": true,
	"attribute[procedure_code]": true, "attribute[dossier_code]": true, "attribute[dossier_pin]": true,
	"first_name": true, "last_name": true, "email": true, "phone": true,
	"lat": false, "long": false, "address_string": false, "address_id": false, "device_id": false,
	"account_id": false, "media_url": false, "api_key": false, "jurisdiction_id": false,
}

const ctxForm = "open311.form"

var (
	errNotForm = &domain.Error{Kind: domain.KindUnsupportedMedia,
		Message: "Nội dung phải là application/x-www-form-urlencoded (UTF-8)"}
	errBadForm = &domain.Error{Kind: domain.KindInvalid,
		Message: "Không đọc được biểu mẫu: mỗi trường một lần, văn bản UTF-8 không có ký tự NUL"}
	errTooLarge = &domain.Error{Kind: domain.KindTooLarge, Message: "Nội dung yêu cầu quá lớn (tối đa 1 MiB)"}
	errKey      = &domain.Error{Kind: domain.KindForbidden, Message: "api_key thiếu hoặc không hợp lệ"}
)

// readForm reads and checks the form before the idempotency record: a body
// that is not a form, too large, or without a valid api_key is refused
// and neither claims nor keeps the key.
func (h *handler) readForm(c *gin.Context) {
	mt, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" ||
		(params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
		WriteError(c, h.Log, errNotForm)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			WriteError(c, h.Log, errTooLarge)
			return
		}
		WriteError(c, h.Log, errBadForm)
		return
	}
	form, err := parseForm(string(body))
	if err != nil {
		WriteError(c, h.Log, err)
		return
	}
	key := form["api_key"]
	if key == "" {
		key = c.Query("api_key")
	}
	if !h.keyOK(key) {
		WriteError(c, h.Log, errKey)
		return
	}
	c.Set(ctxForm, form)
	c.Request.Body = io.NopCloser(strings.NewReader(string(body)))
	c.Request.ContentLength = int64(len(body))
	c.Next()
}

// parseForm decodes a urlencoded body strictly: a field twice, an unknown
// field, bytes that are not UTF-8 or a control character (tab and newlines
// are allowed in description) are 400. Values are NFC-normalised.
func parseForm(body string) (map[string]string, error) {
	vals, err := url.ParseQuery(body)
	if err != nil {
		return nil, errBadForm
	}
	out := map[string]string{}
	fe := domain.FieldErrors{}
	for k, vs := range vals {
		if domain.CheckText(k, false) != domain.TextOK || len(vs) != 1 {
			return nil, errBadForm
		}
		if _, ok := formFields[k]; !ok {
			fe.Add(k, "trường không được hỗ trợ")
			continue
		}
		switch domain.CheckText(vs[0], k == "description") {
		case domain.TextInvalidUTF8:
			return nil, errBadForm
		case domain.TextControl:
			fe.Add(k, "không được chứa ký tự điều khiển")
			continue
		}
		out[k] = norm.NFC.String(vs[0])
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func (h *handler) createRequest(c *gin.Context, _ format, _ string) (result, error) {
	form, _ := c.Get(ctxForm)
	in, pin, err := newFeedback(form.(map[string]string))
	if err != nil {
		return result{}, err
	}
	f, lookupPin, err := h.Feedback.Submit(c.Request.Context(), in, pin)
	if err != nil {
		return result{}, asForm(err)
	}
	notice := "Đã tiếp nhận phản ánh " + f.Code + ". Mã tra cứu: " + lookupPin + ". Hạn trả lời: " +
		f.DueAt.In(h.Location).Format("02/01/2006") + "."
	return result{status: statusCreated,
		json: []createdJSON{{ServiceRequestID: f.Code, ServiceNotice: notice}},
		xml:  createdListXML{Requests: []createdXML{{ServiceRequestID: f.Code, ServiceNotice: notice}}},
	}, nil
}

// newFeedback turns the form into a citizen's submission (channel online)
// and the dossier's PIN.
func newFeedback(form map[string]string) (feedback.NewFeedback, string, error) {
	fe := domain.FieldErrors{}
	code := strings.TrimSpace(form["service_code"])
	switch _, known := serviceOf(code); {
	case code == "":
		fe.Add("service_code", "bắt buộc")
	case !known:
		fe.Add("service_code", "phải là regulation, procedure, conduct hoặc other")
	}
	desc := form["description"]
	switch n := utf8.RuneCountInString(desc); {
	case strings.TrimSpace(desc) == "":
		fe.Add("description", "bắt buộc")
	case n > maxDescription:
		fe.Add("description", "quá dài (tối đa 4000 ký tự)")
	}
	for k, kept := range formFields {
		if !kept && utf8.RuneCountInString(form[k]) > maxIgnored {
			fe.Add(k, "quá dài (tối đa 2048 ký tự)")
		}
	}
	lat, hasLat := form["lat"]
	long, hasLong := form["long"]
	switch {
	case hasLat && !hasLong:
		fe.Add("long", "bắt buộc khi có lat")
	case hasLong && !hasLat:
		fe.Add("lat", "bắt buộc khi có long")
	case hasLat:
		if !coordinate(lat, 90) {
			fe.Add("lat", "phải là vĩ độ từ -90 đến 90")
		}
		if !coordinate(long, 180) {
			fe.Add("long", "phải là kinh độ từ -180 đến 180")
		}
	}
	if err := fe.Err(); err != nil {
		return feedback.NewFeedback{}, "", err
	}
	title := form["attribute[title]"]
	if strings.TrimSpace(title) == "" {
		title = firstLine(desc, maxDefaultTitle)
	}
	name := strings.TrimSpace(strings.TrimSpace(form["last_name"]) + " " + strings.TrimSpace(form["first_name"]))
	return feedback.NewFeedback{Channel: feedback.ChannelOnline, Category: feedback.Category(code), Title: title, Content: desc,
		Sender:        feedback.Sender{Name: name, Phone: form["phone"], Email: form["email"]},
		DossierCode:   form["attribute[dossier_code]"],
		AgencyCode:    form["attribute[agency_code]"],
		ProcedureCode: form["attribute[procedure_code]"]}, form["attribute[dossier_pin]"], nil
}

// firstLine is the first line of s that is not blank, trimmed and cut to
// max characters.
func firstLine(s string, max int) string {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if r := []rune(l); len(r) > max {
			l = strings.TrimSpace(string(r[:max]))
		}
		return l
	}
	return ""
}

// coordinate reports whether s is a decimal number within ±limit.
func coordinate(s string, limit float64) bool {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return err == nil && v >= -limit && v <= limit
}

// query is a GET list's filter, read from the query string.
func (h *handler) query(c *gin.Context) (feedback.PublicFilter, bool, error) {
	f := feedback.PublicFilter{ByReceipt: true, Page: domain.Page{Page: 1, PageSize: maxList}}
	fe := domain.FieldErrors{}
	if ids := list(c.Query("service_request_id")); len(ids) > 0 {
		if len(ids) > maxIDs {
			fe.Add("service_request_id", "tối đa 1000 mã")
		}
		f.Codes = ids
		return f, true, fe.Err()
	}
	for _, code := range list(c.Query("service_code")) {
		if _, ok := serviceOf(code); !ok {
			fe.Add("service_code", "phải là regulation, procedure, conduct hoặc other")
			break
		}
		f.Categories = append(f.Categories, feedback.Category(code))
	}
	closed := true
	if st := list(c.Query("status")); len(st) > 0 {
		closed = false
		for _, s := range st {
			switch s {
			case "closed":
				closed = true
			case "open":
			default:
				fe.Add("status", "phải là open hoặc closed (phân cách bằng dấu phẩy)")
			}
		}
	}
	start, okStart := h.instant(c, "start_date", fe)
	end, okEnd := h.instant(c, "end_date", fe)
	switch {
	case okStart && okEnd:
		if end.Before(start) {
			fe.Add("end_date", "không được trước start_date")
		} else if end.Sub(start) > window {
			fe.Add("end_date", "cách start_date tối đa 90 ngày")
		}
	case okStart:
		end = start.Add(window)
	case okEnd:
		start = end.Add(-window)
	default:
		end = h.Now()
		start = end.Add(-window)
	}
	f.ReceivedFrom, f.ReceivedTo = start, end
	return f, closed, fe.Err()
}

// instant reads an RFC 3339 time from the query: ok is false when it is
// absent or malformed (recorded in fe). A "+" of the offset that arrived
// unencoded (as a space) is taken back.
func (h *handler) instant(c *gin.Context, name string, fe domain.FieldErrors) (time.Time, bool) {
	v, present := c.GetQuery(name)
	if !present {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, strings.ReplaceAll(strings.TrimSpace(v), " ", "+"))
	if err != nil {
		fe.Add(name, "phải là thời điểm RFC 3339 (ví dụ 2026-12-01T00:00:00+07:00)")
		return time.Time{}, false
	}
	return t, true
}

// list splits a comma-separated value, dropping blanks.
func list(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (h *handler) listRequests(c *gin.Context, _ format, _ string) (result, error) {
	f, closed, err := h.query(c)
	if err != nil {
		return result{}, err
	}
	var items []feedback.Feedback
	if closed { // published items are answered: none is open
		if items, _, err = h.Feedback.Published(c.Request.Context(), f); err != nil {
			return result{}, err
		}
	}
	return h.requests(items), nil
}

func (h *handler) getRequest(c *gin.Context, _ format, id string) (result, error) {
	items, _, err := h.Feedback.Published(c.Request.Context(), feedback.PublicFilter{Codes: []string{id},
		Page: domain.Page{Page: 1, PageSize: 1}})
	if err != nil {
		return result{}, err
	}
	if len(items) == 0 {
		return result{}, feedback.ErrNotFound
	}
	return h.requests(items), nil
}

// requests shows published items (already redacted by the service: no
// sender data) as service requests.
func (h *handler) requests(items []feedback.Feedback) result {
	js := make([]requestJSON, len(items))
	xs := requestsXML{Requests: make([]requestXML, len(items))}
	for i, f := range items {
		var agency *string
		if f.AgencyName != "" {
			agency = &f.AgencyName
		}
		js[i] = requestJSON{ServiceRequestID: f.Code, Status: "closed", StatusNotes: f.Answer,
			ServiceName: serviceName(f.Category), ServiceCode: string(f.Category), Description: f.Content,
			AgencyResponsible: agency, RequestedDatetime: h.stamp(f.ReceivedAt),
			UpdatedDatetime: h.stamp(updated(f)), ExpectedDatetime: h.stamp(f.DueAt)}
		xs.Requests[i] = js[i].asXML()
	}
	return result{status: statusOK, json: js, xml: xs}
}

// updated is when the item last changed as the public sees it: its answer
// (its publication, else its receipt, for an imported item without one).
func updated(f feedback.Feedback) time.Time {
	switch {
	case f.AnsweredAt != nil:
		return *f.AnsweredAt
	case f.PublishedAt != nil:
		return *f.PublishedAt
	}
	return f.ReceivedAt
}
