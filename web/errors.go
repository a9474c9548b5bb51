package web

import (
	"errors"
	"net/http"
	"sort"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/api/httperr"
	"github.com/motcua/motcua/domain"
)

// pageError is a refusal as a page shows it: the API's code (in <body
// data-error>), a Vietnamese message, and for 422 the refused fields with
// their messages, listed in the summary and linked from each field.
type pageError struct {
	Code    string
	Message string
	Fields  map[string]string
	List    []fieldMessage
}

// fieldMessage is one line of the error summary, linking to its field.
type fieldMessage struct {
	ID, Label, Message string
}

// Refusals the pages make themselves (the others come from the services).
var (
	errNoPage = &domain.Error{Kind: domain.KindNotFound, Message: "Không tìm thấy trang này"}
	errCSRF   = &domain.Error{Kind: domain.KindForbidden, Message: "Biểu mẫu đã hết hạn, vui lòng gửi lại"}
)

// csrfFailed is the code of a CSRF refusal: a 403 of its own, so a
// monitor tells it from a refused role.
const csrfFailed = "csrf_failed"

// fieldLabels name the form fields in the error summary.
var fieldLabels = map[string]string{
	"code": "Mã hồ sơ", "pin": "Mã tra cứu", "id_number": "Số định danh cá nhân",
	"category": "Lĩnh vực", "title": "Tiêu đề", "content": "Nội dung", "agency_code": "Cơ quan",
	"dossier_code": "Mã hồ sơ liên quan", "dossier_pin": "Mã tra cứu hồ sơ", "name": "Họ và tên",
	"phone": "Số điện thoại", "email": "Thư điện tử", "address": "Địa chỉ",
	"score": "Mức độ hài lòng", "comment": "Ý kiến",
}

// formField maps a service's field name to the form's ("sender.phone" is
// the form's "phone").
var formField = map[string]string{
	"sender.name": "name", "sender.phone": "phone", "sender.email": "email", "sender.address": "address",
}

// asPageError classifies err through the API's table.
func asPageError(err error) (int, *pageError) {
	spec, de := httperr.Of(err)
	pe := &pageError{Code: spec.Code, Message: "Lỗi hệ thống; vui lòng thử lại sau"}
	if de == nil {
		return spec.Status, pe
	}
	pe.Message = de.Message
	if errors.Is(err, errCSRF) {
		pe.Code = csrfFailed
	}
	if len(de.Fields) > 0 {
		pe.Fields = map[string]string{}
		for k, m := range de.Fields {
			if f, ok := formField[k]; ok {
				k = f
			}
			pe.Fields[k] = m
		}
		names := make([]string, 0, len(pe.Fields))
		for k := range pe.Fields {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			label := fieldLabels[k]
			if label == "" {
				label = k
			}
			pe.List = append(pe.List, fieldMessage{ID: k, Label: label, Message: pe.Fields[k]})
		}
	}
	return spec.Status, pe
}

// renderError answers err as the page name with its form (v may be nil):
// the status and code of the API's table, the message, the fields marked.
// An internal error is logged (without the request's data) and shown with
// a fixed message.
func (p *Pages) renderError(c *gin.Context, name string, err error, v *view) {
	status, pe := asPageError(err)
	if status == http.StatusInternalServerError {
		p.log.ErrorContext(c.Request.Context(), "page failed", "route", c.FullPath(), "err", err.Error())
	}
	if status == http.StatusTooManyRequests {
		var de *domain.Error
		if errors.As(err, &de) {
			if s, ok := de.Details["retry_after_seconds"].(int); ok {
				c.Header("Retry-After", strconv.Itoa(s))
			}
		}
	}
	out := view{Page: name, Title: "Không thực hiện được"}
	if v != nil {
		out = *v
	}
	out.Error = pe
	if out.Page == "not-found" || (status == http.StatusNotFound && v == nil) {
		out.Page, out.Title = "not-found", "Không tìm thấy"
		name = "not-found"
	}
	p.render(c, status, name, out)
	c.Abort()
}

// Fail answers err as the generic error page: for refusals the pages'
// middleware borrowed from the API (a form key reused or still busy).
func (p *Pages) Fail(c *gin.Context, err error) { p.renderError(c, "error", err, nil) }

// notFoundCredential answers an unknown code or a wrong PIN on a route
// whose path names the code: a page that names neither, so the two cases
// (and any two codes) give the same bytes.
func (p *Pages) notFoundCredential(c *gin.Context, page string, err error) {
	v := view{Page: page, Title: "Không tìm thấy"}
	p.renderError(c, "credential-not-found", err, &v)
}
