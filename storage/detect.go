// Package storage keeps the content of dossier files: a files.BlobStore on
// a local folder (Local) or in an S3 bucket (S3), chosen by a storage URL
// (Open); Receive, which streams an upload into a store's temporary file,
// hashing and limiting it; and Detect, which tells the content type of
// what was received from its bytes alone, never from the name or the type
// the client claims.
package storage

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"strings"

	"github.com/gabriel-vasile/mimetype"

	"github.com/motcua/motcua/domain/files"
)

// Detect tells the content type of the size bytes of r, mapped onto the
// table of accepted types (files.Types): it returns one of files.TypePDF,
// TypeJPEG, TypePNG, TypeTIFF, TypeDOCX, TypeXLSX or TypeXML, or "" when
// the content is of no accepted type. The error is only for a failure to
// read r.
//
// The magic numbers are read by mimetype; on top of it, a ZIP archive is a
// DOCX or an XLSX only when its [Content_Types].xml declares the main part
// of a Word document or an Excel workbook (macro-enabled documents and
// templates are not) and that part is in the archive; and XML is accepted
// only when well-formed and free of what would make it active in a
// browser: elements of the XHTML, SVG or XSLT namespaces and xml-stylesheet
// instructions. SVG and HTML are never XML here.
func Detect(r io.ReaderAt, size int64) (string, error) {
	if size <= 0 {
		return "", nil
	}
	m, err := mimetype.DetectReader(io.NewSectionReader(r, 0, size))
	if err != nil {
		return "", err
	}
	switch {
	case m.Is("application/pdf"):
		return files.TypePDF, nil
	case m.Is("image/jpeg"):
		return files.TypeJPEG, nil
	case m.Is("image/png"), m.Is("image/apng"): // an animated PNG is a PNG
		return files.TypePNG, nil
	case m.Is("image/tiff"):
		return files.TypeTIFF, nil
	case within(m, "application/zip"):
		return officeType(r, size)
	case within(m, "text/xml") && !m.Is("application/xhtml+xml"):
		return xmlType(r, size)
	}
	return "", nil
}

// within reports whether m is the type want or one of its descendants in
// mimetype's tree (a DOCX is within ZIP, an RSS feed within XML).
func within(m *mimetype.MIME, want string) bool {
	for ; m != nil; m = m.Parent() {
		if m.Is(want) {
			return true
		}
	}
	return false
}

// The main parts' content types of the office documents accepted.
const (
	docxMain = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
	xlsxMain = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
)

// maxContentTypes bounds how much of [Content_Types].xml is read: a real
// one is a few KiB.
const maxContentTypes = 1 << 20

// officeType tells a DOCX or an XLSX from any other ZIP archive by the
// package's declared main part, "" for anything else (a broken archive
// included).
func officeType(r io.ReaderAt, size int64) (string, error) {
	zr, err := zip.NewReader(markedReaderAt{r}, size)
	if err != nil {
		if isReadFailure(err) {
			return "", err
		}
		return "", nil
	}
	entries := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		entries[strings.ToLower(f.Name)] = f
	}
	ct, ok := entries["[content_types].xml"]
	if !ok {
		return "", nil
	}
	rc, err := ct.Open()
	if err != nil {
		if isReadFailure(err) {
			return "", err
		}
		return "", nil
	}
	defer rc.Close()
	var doc struct {
		Overrides []struct {
			PartName    string `xml:"PartName,attr"`
			ContentType string `xml:"ContentType,attr"`
		} `xml:"Override"`
	}
	if err := xml.NewDecoder(io.LimitReader(rc, maxContentTypes)).Decode(&doc); err != nil {
		if isReadFailure(err) {
			return "", err
		}
		return "", nil
	}
	found := ""
	for _, o := range doc.Overrides {
		var t string
		switch strings.TrimSpace(o.ContentType) {
		case docxMain:
			t = files.TypeDOCX
		case xlsxMain:
			t = files.TypeXLSX
		default:
			continue
		}
		part := strings.ToLower(strings.TrimPrefix(path.Clean("/"+o.PartName), "/"))
		if _, ok := entries[part]; !ok {
			continue
		}
		if found != "" && found != t {
			return "", nil // both a document and a workbook: neither
		}
		found = t
	}
	return found, nil
}

// isReadFailure reports whether err comes from reading the content rather
// than from what the content is: the archive and XML readers answer both
// with errors, and only the first is an error of Detect.
func isReadFailure(err error) bool {
	var re *readError
	return errors.As(err, &re)
}

// readError marks an error of the underlying reader.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// markedReaderAt marks the errors of r, other than io.EOF, as readErrors.
type markedReaderAt struct{ r io.ReaderAt }

func (m markedReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := m.r.ReadAt(p, off)
	if err != nil && err != io.EOF {
		err = &readError{err}
	}
	return n, err
}

// The namespaces whose elements make an XML document active content in a
// browser.
var activeNamespaces = map[string]bool{
	"http://www.w3.org/1999/xhtml":         true,
	"http://www.w3.org/2000/svg":           true,
	"http://www.w3.org/1999/XSL/Transform": true,
}

// xmlType accepts a well-formed XML document that holds no element of an
// active namespace and no xml-stylesheet instruction, "" for anything else.
// Undeclared entities are refused (so no value can hide behind one), and
// text that is not UTF-8 is refused unless its declared encoding keeps
// ASCII as it is, where namespace names read the same.
func xmlType(r io.ReaderAt, size int64) (string, error) {
	d := xml.NewDecoder(io.NewSectionReader(markedReaderAt{r}, 0, size))
	d.Strict = true
	d.CharsetReader = asciiCompatible
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return files.TypeXML, nil
		}
		if err != nil {
			if isReadFailure(err) {
				return "", err
			}
			return "", nil
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if activeNamespaces[t.Name.Space] {
				return "", nil
			}
			for _, a := range t.Attr {
				if activeNamespaces[a.Name.Space] {
					return "", nil
				}
			}
		case xml.ProcInst:
			if strings.EqualFold(t.Target, "xml-stylesheet") {
				return "", nil
			}
		}
	}
}

// asciiCompatible reads a document in a declared encoding that leaves
// ASCII as it is byte for byte (the Latin and Vietnamese code pages), so
// its markup and namespace names are checked as they stand; any other
// encoding (UTF-16 among them) is refused.
func asciiCompatible(label string, in io.Reader) (io.Reader, error) {
	l := strings.ToLower(strings.TrimSpace(label))
	switch {
	case l == "us-ascii", l == "ascii", l == "utf8",
		strings.HasPrefix(l, "iso-8859-"), strings.HasPrefix(l, "windows-125"), strings.HasPrefix(l, "cp125"),
		l == "tcvn3", l == "tcvn", l == "viscii", l == "latin1":
		return in, nil
	}
	return nil, errors.New("encoding not accepted: " + label)
}
