package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
)

// The API reference (/docs) is the contract itself, docs/openapi.yaml, laid
// out as a page: it is rendered from the same bytes /openapi.yaml serves, so
// the two cannot disagree, and it is plain HTML: no script, nothing but
// the pages' own style sheets.

// docsView is the reference page's data.
type docsView struct {
	Title       string
	Version     string
	Description []docBlock
	Tags        []docTag
}

// docTag is one group of operations: a tag of the document, or the
// operations without one, last.
type docTag struct {
	ID, Name    string
	Description []docBlock
	Ops         []docOp
}

// docOp is one operation. Method is lower case, Path as the document
// writes it; the section's data attributes carry both, so a test or a
// reader's tool can find an operation without parsing the text.
type docOp struct {
	ID          string
	Method      string
	Verb        string // the method as HTTP writes it, for the reader
	Path        string
	Summary     string
	Description []docBlock
	Bearer      bool
	Deprecated  bool
	Params      []docParam
	Body        *docBody
	Responses   []docResponse
}

// docParam is one parameter of an operation: where it goes (path, query,
// header), its type and whether it must be given.
type docParam struct {
	Name, In, Type string
	Required       bool
	Description    []docSpan
}

// docBody is a request body: its media type and, for an object schema, its
// top-level properties.
type docBody struct {
	MediaType string
	Type      string
	Required  bool
	Fields    []docField
	Note      []docSpan
}

// docField is one top-level property of a request body's object schema.
type docField struct {
	Name, Type  string
	Required    bool
	Description []docSpan
}

// docResponse is one answer of an operation: its status code (or
// "default"), what it means and a summary of its body.
type docResponse struct {
	Status      string
	Description []docSpan
	Content     string
}

// docBlock is a paragraph or a table of a description. The document's
// descriptions are CommonMark; the reference shows the two forms it uses
// (paragraphs with `code` spans, and pipe tables) rather than pulling in a
// Markdown renderer whose raw-HTML rules would have to be trusted.
type docBlock struct {
	Para  []docSpan
	Table *docTable
}

// docTable is a pipe table of a description: its head row, when it has
// one, and its body rows.
type docTable struct {
	Head []docCell
	Rows [][]docCell
}

// docCell is one cell of a table, a run of spans.
type docCell []docSpan

// docSpan is a run of text, shown as code when Code is set. Every span is
// escaped by html/template: nothing in the document becomes markup.
type docSpan struct {
	Text string
	Code bool
}

// renderDocs loads the OpenAPI document and renders the whole reference
// page once, at start: it depends on nothing of the request, so every
// answer is the same bytes. A document that does not load is an error, so
// a broken contract stops the server at start rather than at the first
// reader.
func (p *Pages) renderDocs(openapi []byte) ([]byte, error) {
	if len(openapi) == 0 {
		return nil, errors.New("web: the OpenAPI document is needed for the API reference")
	}
	loader := openapi3.NewLoader()
	// Origins give the document's own order of paths and operations, which
	// the loaded maps lose; the reference follows the file.
	loader.IncludeOrigin = true
	doc, err := loader.LoadFromData(openapi)
	if err != nil {
		return nil, fmt.Errorf("web: the OpenAPI document does not load: %w", err)
	}
	t, ok := p.views.pages["docs"]
	if !ok {
		return nil, errors.New("web: the docs template is missing")
	}
	v := view{Page: "docs", Title: "Tài liệu API", Styles: []string{"css/staff.css"}, Data: buildDocs(doc)}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return nil, fmt.Errorf("web: the API reference does not render: %w", err)
	}
	return buf.Bytes(), nil
}

// docsPage serves the reference rendered at start.
func (p *Pages) docsPage(c *gin.Context) {
	c.Data(http.StatusOK, "text/html; charset=utf-8", p.docs)
}
