// Package pdf lays out the papers of the one-stop counter as PDF files (A4,
// the DejaVu Sans font embedded, a QR code to the citizen's lookup): the
// Renderer of domain/papers. Output depends only on the paper's data; the
// print time is its only part that changes between two prints.
package pdf

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"time"

	"codeberg.org/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/motcua/motcua/domain/papers"
)

// The DejaVu Sans face (fonts/LICENSE-DejaVu.txt): it covers Vietnamese.
// Bold is drawn from it (see doc.font), not from a second face: fpdf parses,
// hashes, subsets and compresses every face again in every document, which
// took a receipt from 3.6 to 6.2 ms on one core for the second face.
//
//go:embed fonts/DejaVuSans.ttf
var regularTTF []byte

// cutFont is the face cut, once, to the letters Vietnamese papers use:
// parsing and subsetting the whole face for every paper would cost several
// times the rest of the work.
var cutFont = sync.OnceValue(func() []byte {
	var set strings.Builder
	for _, span := range [][2]rune{{0x20, 0x7E}, {0xA0, 0x17F}, {0x1A0, 0x1B0}, {0x300, 0x323},
		{0x1EA0, 0x1EF9}, {0x2010, 0x2027}, {0x2030, 0x203A}, {0x20AB, 0x20AB}, {0x2116, 0x2116}} {
		for r := span[0]; r <= span[1]; r++ {
			set.WriteRune(r)
		}
	}
	return fpdf.UTF8CutFont(regularTTF, set.String())
})

const (
	family   = "DejaVu"
	producer = "motcua"
	margin   = 15.0 // mm, every side
	bodySize = 10.5 // pt
	lineH    = 5.6  // mm, a body line
	qrSize   = 32.0 // mm
	// boldStroke is the outline drawn around bold letters, in em: enough to
	// read as bold in print, less than DejaVu Sans Bold adds, so that letters
	// set at their regular widths do not touch.
	boldStroke = 0.035
)

// Renderer renders the papers. Its zero value is ready.
type Renderer struct{}

var _ papers.Renderer = Renderer{}

// doc is one paper being laid out.
type doc struct {
	f     *fpdf.Fpdf
	width float64 // the text width of a page
	thin  float64 // the width of ruled lines, mm
	bold  bool    // letters are filled and stroked (doc.font)
}

// newDoc starts a paper: the fonts, the file's dates and producer fixed by
// the print time, the footer with the print time and the page number.
func newDoc(h papers.Heading, landscape bool) *doc {
	d := setup(h.Printed, h.Form.Title, landscape)
	f := d.f
	f.SetFooterFunc(func() {
		f.SetY(-margin - 2)
		if d.bold { // the page ends here: the header starts the next one bold again
			f.SetTextRenderingMode(0)
		}
		f.SetFont(family, "", 7.5)
		f.CellFormat(0, 4, h.PrintedAt+" — Trang "+fmt.Sprint(f.PageNo())+"/{nb}", "", 0, "R", false, 0, "")
	})
	f.AddPage()
	d.heading(h)
	return d
}

// newDocBare is a portrait paper with nothing on it yet (the floor).
func newDocBare(printed time.Time) *doc {
	d := setup(printed, "", false)
	d.f.AddPage()
	return d
}

// setup makes the document: A4, margins, the fonts, and the file's dates,
// creator and producer fixed by the print time, so two prints differ in
// nothing else.
func setup(printed time.Time, title string, landscape bool) *doc {
	orientation := "P"
	if landscape {
		orientation = "L"
	}
	f := fpdf.New(orientation, "mm", "A4", "")
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, margin+6)
	f.AddUTF8FontFromBytes(family, "", cutFont())
	at := printed.UTC().Truncate(time.Second)
	f.SetCreationDate(at)
	f.SetModificationDate(at)
	f.SetProducer(producer, false)
	f.SetCreator(producer, false)
	if title != "" {
		f.SetTitle(title, true)
	}
	f.SetCatalogSort(true)
	f.AliasNbPages("{nb}")
	w, _ := f.GetPageSize()
	d := &doc{f: f, width: w - 2*margin, thin: f.GetLineWidth()}
	// A new page starts with plain letters (and the line width of the page
	// before, which fpdf carries over).
	f.SetHeaderFunc(func() {
		if d.bold {
			f.SetTextRenderingMode(2)
		}
	})
	return d
}

// bytes finishes the paper.
func (d *doc) bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.f.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// font sets the size of the letters and whether they are bold. Bold
// letters are the regular face filled and then stroked with an outline of
// boldStroke em, which thickens them as a bold face does while keeping one
// face in the file; the text reads back the same. The width they are
// measured at is the regular one, the outline reaching a little into the
// space between letters.
func (d *doc) font(bold bool, size float64) {
	f := d.f
	f.SetFont(family, "", size)
	switch {
	case bold:
		f.SetLineWidth(size * boldStroke / f.GetConversionRatio())
		if !d.bold {
			f.SetTextRenderingMode(2)
		}
	case d.bold:
		f.SetLineWidth(d.thin)
		f.SetTextRenderingMode(0)
	}
	d.bold = bold
}

// rect rules the outline of a box with the thin line whatever the letters.
func (d *doc) rect(x, y, w, h float64) {
	f := d.f
	if !d.bold {
		f.Rect(x, y, w, h, "D")
		return
	}
	lw := f.GetLineWidth()
	f.SetLineWidth(d.thin)
	f.Rect(x, y, w, h, "D")
	f.SetLineWidth(lw)
}

// heading writes the top of a paper: the form and its source, the unit
// under its parent beside the national heading, the place and date, and
// the title.
func (d *doc) heading(h papers.Heading) {
	f := d.f
	d.font(false, 8)
	f.MultiCell(0, 4, "Mẫu số "+h.Form.Number+" (ban hành kèm theo "+h.Form.Source+")", "", "R", false)
	f.Ln(2)
	top := f.GetY()
	left := d.width * 0.42
	f.SetLeftMargin(margin)
	if h.Parent != "" {
		d.font(false, 9.5)
		f.MultiCell(left, 4.8, strings.ToUpper(h.Parent), "", "C", false)
	}
	d.font(true, 9.5)
	f.MultiCell(left, 4.8, strings.ToUpper(h.Unit), "", "C", false)
	leftEnd := f.GetY()
	f.SetXY(margin+left, top)
	d.font(true, 9.5)
	f.CellFormat(d.width-left, 4.8, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "", 2, "C", false, 0, "")
	f.SetX(margin + left)
	f.CellFormat(d.width-left, 4.8, "Độc lập - Tự do - Hạnh phúc", "", 2, "C", false, 0, "")
	f.SetX(margin + left)
	d.font(false, 9.5)
	f.CellFormat(d.width-left, 6, h.PlaceDate, "", 2, "C", false, 0, "")
	if y := f.GetY(); y < leftEnd {
		f.SetY(leftEnd)
	}
	f.SetX(margin)
	f.Ln(5)
	d.font(true, 13)
	f.MultiCell(0, 6.5, h.Form.Title, "", "C", false)
	if h.Code != "" {
		d.font(false, bodySize)
		f.MultiCell(0, lineH, "Mã hồ sơ: "+h.Code, "", "C", false)
	}
	f.Ln(3)
}

// para writes a paragraph of body text.
func (d *doc) para(text string) {
	d.font(false, bodySize)
	d.f.MultiCell(0, lineH, text, "", "L", false)
}

// field writes "label: value", the label in regular and the value in bold;
// an empty value leaves a dotted line to write on.
func (d *doc) field(label, value string) {
	if value == "" {
		value = "…………………………………"
	}
	d.font(false, bodySize)
	d.f.MultiCell(0, lineH, label+": "+value, "", "L", false)
}

// bullets writes a numbered list.
func (d *doc) bullets(items []string) {
	d.font(false, bodySize)
	for i, it := range items {
		d.f.SetX(margin + 6)
		d.f.MultiCell(d.width-6, lineH, fmt.Sprintf("%d. %s", i+1, it), "", "L", false)
	}
}

// qr draws a QR code of url at the right margin from the current line and
// writes the address beside it; it returns without drawing for "".
func (d *doc) qr(url, caption string) error {
	if url == "" {
		return nil
	}
	code, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("qr: %w", err)
	}
	f := d.f
	_, pageH := f.GetPageSize()
	if f.GetY()+qrSize > pageH-margin-6 {
		f.AddPage()
	}
	y := f.GetY()
	drawQR(f, code.Bitmap(), margin+d.width-qrSize, y, qrSize)
	d.font(false, bodySize)
	f.SetXY(margin, y+2)
	f.MultiCell(d.width-qrSize-4, lineH, caption, "", "L", false)
	f.SetX(margin)
	f.MultiCell(d.width-qrSize-4, lineH, url, "", "L", false)
	if end := y + qrSize + 2; f.GetY() < end {
		f.SetY(end)
	}
	return f.Error()
}

// drawQR draws the modules of bits (quiet zone included) as black runs
// in a square of side size at x, y: vectors print sharp at any resolution
// and cost less than an image.
func drawQR(f *fpdf.Fpdf, bits [][]bool, x, y, size float64) {
	if len(bits) == 0 {
		return
	}
	m := size / float64(len(bits))
	f.SetFillColor(0, 0, 0)
	for r, row := range bits {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < len(row) && row[c] {
				c++
			}
			f.Rect(x+float64(start)*m, y+float64(r)*m, float64(c-start)*m, m, "F")
		}
	}
}

// signature is one signature block: its title, the note under it and the
// name signed.
type signature struct {
	title, note, name string
}

// signatures writes the blocks side by side across the page.
func (d *doc) signatures(blocks ...signature) {
	f := d.f
	_, pageH := f.GetPageSize()
	if f.GetY()+40 > pageH-margin-6 {
		f.AddPage()
	}
	f.Ln(6)
	w := d.width / float64(len(blocks))
	y := f.GetY()
	for i, b := range blocks {
		x := margin + float64(i)*w
		f.SetXY(x, y)
		d.font(true, bodySize)
		f.MultiCell(w, lineH, b.title, "", "C", false)
		f.SetX(x)
		d.font(false, 9)
		f.MultiCell(w, lineH, b.note, "", "C", false)
		f.SetXY(x, y+30)
		d.font(true, bodySize)
		f.MultiCell(w, lineH, b.name, "", "C", false)
	}
	f.SetXY(margin, y+30+2*lineH)
}

// table writes rows under a header with columns of widths (mm); cells wrap
// and a row that does not fit starts a new page, which repeats the header.
func (d *doc) table(widths []float64, header []string, rows [][]string, size float64) {
	f := d.f
	lh := size * 0.5
	draw := func(cells []string, bold bool) {
		d.font(bold, size)
		lines := 1
		split := make([][]string, len(cells))
		for i, c := range cells {
			split[i] = f.SplitText(c, widths[i]-2)
			if len(split[i]) == 0 {
				split[i] = []string{""}
			}
			if len(split[i]) > lines {
				lines = len(split[i])
			}
		}
		h := float64(lines)*lh + 2
		_, pageH := f.GetPageSize()
		if f.GetY()+h > pageH-margin-6 {
			f.AddPage()
			if !bold {
				d.tableHeader(widths, header, size)
				d.font(false, size)
			}
		}
		x, y := margin, f.GetY()
		for i := range cells {
			d.rect(x, y, widths[i], h)
			f.SetXY(x+1, y+1)
			align := "L"
			if bold {
				align = "C"
			}
			f.MultiCell(widths[i]-2, lh, strings.Join(split[i], "\n"), "", align, false)
			x += widths[i]
		}
		f.SetXY(margin, y+h)
	}
	draw(header, true)
	for _, r := range rows {
		draw(r, false)
	}
}

func (d *doc) tableHeader(widths []float64, header []string, size float64) {
	d.table(widths, header, nil, size)
}

// upper is strings.ToUpper (Vietnamese letters included).
func upper(s string) string { return strings.ToUpper(s) }

// Floor writes a one-page PDF with the same fonts, file settings and one
// line of text, reading no data: the least any paper costs, which the
// papers' benchmark measures receipts against.
func Floor(printed time.Time) ([]byte, error) {
	d := newDocBare(printed)
	d.para("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM — Độc lập - Tự do - Hạnh phúc")
	return d.bytes()
}
