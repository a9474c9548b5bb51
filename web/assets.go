package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

//go:embed static
var staticFS embed.FS

// asset is one embedded file: its bytes, type and content-hashed path.
type asset struct {
	data        []byte
	contentType string
	hashed      string // "/static/css/site.<hash>.css"
}

// assets are the embedded files by their plain name ("css/site.css") and
// by their hashed path. A hashed path names one version of a file forever,
// so it is cached for a year; a change to the file changes its path.
type assets struct {
	byName map[string]*asset
	byPath map[string]*asset
}

// assetTypes are the kinds of file served; anything else under static/ (a
// vendored licence, a VERSION file) is kept in the source but not served.
var assetTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
	".png": "image/png",
	".ico": "image/x-icon",
}

func loadAssets() (*assets, error) {
	a := &assets{byName: map[string]*asset{}, byPath: map[string]*asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		ext := path.Ext(p)
		ct, ok := assetTypes[ext]
		if !ok {
			return nil
		}
		data, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		name := strings.TrimPrefix(p, "static/")
		x := &asset{data: data, contentType: ct,
			hashed: "/static/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext}
		a.byName[name] = x
		a.byPath[x.hashed] = x
		return nil
	})
	return a, err
}

// path is the hashed path of the named asset, for templates. A name that
// is not embedded is a programming error the template tests catch: it
// renders as a path that answers 404.
func (a *assets) path(name string) string {
	if x, ok := a.byName[name]; ok {
		return x.hashed
	}
	return "/static/missing/" + name
}

// static serves an embedded asset: under its hashed path for a year,
// immutable; under its plain path (/static/js/staff.js) revalidated every
// time, for whoever links to it by name.
func (p *Pages) static(c *gin.Context) {
	full := "/static" + c.Param("path")
	if x, ok := p.assets.byPath[full]; ok {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
		c.Data(http.StatusOK, x.contentType, x.data)
		return
	}
	if x, ok := p.assets.byName[strings.TrimPrefix(full, "/static/")]; ok {
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, x.contentType, x.data)
		return
	}
	p.renderError(c, "not-found", errNoPage, nil)
}
