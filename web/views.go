package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"text/template/parse"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain/stats"
	"github.com/motcua/motcua/domain/worktime"
)

//go:embed templates
var templateFS embed.FS

// view is what every page template gets: the hooks of the layout (the
// page's name, its error), the form's tokens and kept values, and the
// page's own data.
type view struct {
	// Page is <body data-page>.
	Page string
	// Title is the page's own <title> (the site name is added).
	Title string
	// Error is the refusal the page shows; nil on success.
	Error *pageError
	// CSRF and FormKey are the hidden fields of the page's forms.
	CSRF, FormKey string
	// Form holds the values the sender entered, kept on a refused form
	// (never a PIN or an ID number).
	Form map[string]string
	// Scripts are the embedded scripts the page loads (staff pages only).
	Scripts []string
	// Styles are extra embedded style sheets the page loads.
	Styles []string
	// Data is the page's own content.
	Data any
}

// value is a kept form value.
func (v view) Value(name string) string { return v.Form[name] }

// Invalid reports whether the field was refused.
func (v view) Invalid(name string) bool {
	_, bad := v.fieldError(name)
	return bad
}

// FieldError is the refusal's message for a field.
func (v view) FieldError(name string) string {
	m, _ := v.fieldError(name)
	return m
}

func (v view) fieldError(name string) (string, bool) {
	if v.Error == nil {
		return "", false
	}
	m, ok := v.Error.Fields[name]
	return m, ok
}

// fieldRef is a view and one of its fields, for the field-error partial.
type fieldRef struct {
	V    view
	Name string
}

// countCell and rateCell are one figure of a table, with its field name.
type countCell struct {
	Field string
	N     int64
}

type rateCell struct {
	Field string
	R     stats.Rate
}

// form06Table is a form-06 answer shown as a table.
type form06Table struct {
	Caption string
	F       stats.Form06
}

// views holds one parsed template set per page: the layout, the shared
// partials and the page's own file.
type views struct {
	pages map[string]*template.Template
}

// parseViews parses every templates/*.html but the layout and partials as a
// page named by its file.
func parseViews(p *Pages) (*views, error) {
	funcs := template.FuncMap{
		"asset":    p.assets.path,
		"datetime": func(t any) string { return p.stamp(t, time.RFC3339) },
		"dmy":      func(t any) string { return p.stamp(t, "02/01/2006 15:04") },
		"day":      func(t any) string { return p.stamp(t, "02/01/2006") },
		"num":      formatInt,
		"rate":     formatRate,
		"rateval":  rateValue,
		"vnd":      formatVND,
		"ival":     func(n int64) string { return strconv.FormatInt(n, 10) },
		"count":    func(field string, n int64) countCell { return countCell{Field: field, N: n} },
		"ratec":    func(field string, r stats.Rate) rateCell { return rateCell{Field: field, R: r} },
		"table":    func(caption string, f stats.Form06) form06Table { return form06Table{Caption: caption, F: f} },
		"vdate":    func(d worktime.Date) string { return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year) },
		"fieldref": func(v view, name string) fieldRef { return fieldRef{V: v, Name: name} },
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	v := &views{pages: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", f)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		for _, tt := range t.Templates() {
			if tt.Tree != nil {
				foldAssets(tt.Tree.Root, p.assets)
			}
		}
		v.pages[name] = t
	}
	return v, nil
}

// plainAssetPath is a hashed asset path that reads the same escaped in any
// attribute or URL: nothing in it for html/template to change.
var plainAssetPath = regexp.MustCompile(`^/static/[A-Za-z0-9._/-]+$`)

// foldAssets replaces, in a parsed template not yet executed, each
// {{asset "name"}} by its path: the assets are embedded, so the path is the
// same for every request of the process, and the call and the three
// escapers html/template would run on its result are work done once here
// instead. Only a path that escaping leaves as it is gets folded; the
// template is escaped after this, with the path as its own text.
func foldAssets(n parse.Node, a *assets) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for i, c := range n.Nodes {
			if path, ok := constantAsset(c, a); ok {
				n.Nodes[i] = &parse.TextNode{NodeType: parse.NodeText, Pos: c.Position(), Text: []byte(path)}
				continue
			}
			foldAssets(c, a)
		}
	case *parse.IfNode:
		foldAssets(n.List, a)
		foldAssets(n.ElseList, a)
	case *parse.RangeNode:
		foldAssets(n.List, a)
		foldAssets(n.ElseList, a)
	case *parse.WithNode:
		foldAssets(n.List, a)
		foldAssets(n.ElseList, a)
	}
}

// constantAsset reports the path of an {{asset "name"}} action.
func constantAsset(n parse.Node, a *assets) (string, bool) {
	act, ok := n.(*parse.ActionNode)
	if !ok || act.Pipe == nil || len(act.Pipe.Decl) > 0 || len(act.Pipe.Cmds) != 1 {
		return "", false
	}
	args := act.Pipe.Cmds[0].Args
	if len(args) != 2 {
		return "", false
	}
	fn, ok := args[0].(*parse.IdentifierNode)
	name, ok2 := args[1].(*parse.StringNode)
	if !ok || !ok2 || fn.Ident != "asset" {
		return "", false
	}
	if _, known := a.byName[name.Text]; !known {
		return "", false // left to render its "missing" path, which the tests catch
	}
	path := a.path(name.Text)
	return path, plainAssetPath.MatchString(path)
}

// render writes the page template name with status and v. Rendering goes
// to a buffer first, so a template that fails leaves no half page: the
// failure is logged and answered as the internal error page. The buffer is
// a pooled one, given back once the page is written.
func (p *Pages) render(c *gin.Context, status int, name string, v view) {
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer putRenderBuffer(buf)
	if p.execute(c, buf, name, v) {
		c.Data(status, "text/html; charset=utf-8", buf.Bytes())
	}
}

// renderBytes executes page name with v into bytes of its own (a page
// kept after the request); on failure it logs, answers 500 and reports
// false.
func (p *Pages) renderBytes(c *gin.Context, name string, v view) ([]byte, bool) {
	var buf bytes.Buffer
	if !p.execute(c, &buf, name, v) {
		return nil, false
	}
	return buf.Bytes(), true
}

// execute executes page name with v into buf; on failure it logs, answers
// 500 and reports false.
func (p *Pages) execute(c *gin.Context, buf *bytes.Buffer, name string, v view) bool {
	t, ok := p.views.pages[name]
	if !ok {
		p.log.ErrorContext(c.Request.Context(), "page template missing", "template", name)
		c.AbortWithStatus(http.StatusInternalServerError)
		return false
	}
	if err := t.ExecuteTemplate(buf, "layout", v); err != nil {
		p.log.ErrorContext(c.Request.Context(), "page failed to render", "template", name, "err", err.Error())
		c.AbortWithStatus(http.StatusInternalServerError)
		return false
	}
	return true
}

// renderBuffers are the buffers pages render into: a page is a few KiB,
// which a fresh buffer reaches through several grow-and-copy steps.
var renderBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 16<<10)) }}

// putRenderBuffer gives buf back to the pool, unless a very large page
// made it too big to keep.
func putRenderBuffer(buf *bytes.Buffer) {
	if buf.Cap() > 256<<10 {
		return
	}
	buf.Reset()
	renderBuffers.Put(buf)
}

// stamp formats t (time.Time or *time.Time) in the zone; "" for nil or
// zero.
func (p *Pages) stamp(t any, layout string) string {
	var tt time.Time
	switch x := t.(type) {
	case time.Time:
		tt = x
	case *time.Time:
		if x == nil {
			return ""
		}
		tt = *x
	default:
		return ""
	}
	if tt.IsZero() {
		return ""
	}
	return tt.In(p.loc).Format(layout)
}

// formatInt writes n with "." between thousands, as Vietnamese does: 9.796.
func formatInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// formatRate writes a rate with a decimal comma: "99,97 %", "—" when it
// has no denominator.
func formatRate(r stats.Rate) string {
	h, ok := r.Hundredths()
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%s,%02d %%", formatInt(h/100), h%100)
}

// rateValue is a rate's raw value for data-value: "99.97", "" when null.
func rateValue(r stats.Rate) string {
	h, ok := r.Hundredths()
	if !ok {
		return ""
	}
	return fmt.Sprintf("%d.%02d", h/100, h%100)
}

// formatVND writes an amount in đồng: "150.000 đồng".
func formatVND(n int64) string { return formatInt(n) + " đồng" }
