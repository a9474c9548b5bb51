package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// The staff pages are shells: the server sends the same static page to
// everyone, and staff.js fills it from the JSON API with the bearer token
// of whoever logged in, so the API's scope and role checks are the only
// ones, and the pages hold no session, no cookie and no personal data of
// their own. The token lives in sessionStorage: it dies with the tab and
// is never sent unless the script sends it, so these pages need no CSRF
// defence.

// staffPages are the shells: their data-page, title and scripts. Only the
// dashboard draws a chart, so only it loads uPlot and its style sheet.
var staffPages = map[string]view{
	"staff": {Title: "Bảng điều khiển",
		Scripts: []string{"vendor/uplot/uPlot.iife.min.js", "js/staff.js"},
		Styles:  []string{"vendor/uplot/uPlot.min.css", "css/staff.css"}},
	"staff-dossiers": {Title: "Danh sách hồ sơ",
		Scripts: []string{"js/staff.js"}, Styles: []string{"css/staff.css"}},
	"staff-dossier": {Title: "Chi tiết hồ sơ",
		Scripts: []string{"js/staff.js"}, Styles: []string{"css/staff.css"}},
}

// shellData is what a shell knows: only the zone the service shows times
// in, so the script reads "this month" and formats times as the API and
// the printed papers do, whatever the zone of the browser.
type shellData struct {
	Zone string
}

// staffShell serves one staff page's static shell. Nothing of the request
// reaches the page: not the dossier code of /quan-tri/ho-so/:code nor the
// list's query, which the script reads from the address bar.
func (p *Pages) staffShell(page string) gin.HandlerFunc {
	v, ok := staffPages[page]
	if !ok {
		panic("web: no staff page " + page)
	}
	v.Page = page
	v.Data = shellData{Zone: p.loc.String()}
	return func(c *gin.Context) { p.render(c, http.StatusOK, page, v) }
}
