package storage_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/files"
	"github.com/motcua/motcua/storage"
)

func detect(t *testing.T, b []byte) string {
	t.Helper()
	ct, err := storage.Detect(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("Detect: %v", err)
	}
	return ct
}

func TestDetect(t *testing.T) {
	// A DOCX whose first entries push word/ past what mimetype reads is
	// still a DOCX: the archive's directory is read.
	bigFirst := storedZipOf(t,
		[2]string{"[Content_Types].xml", contentTypes(docxOverride)},
		[2]string{"docProps/thumbnail.jpeg", strings.Repeat("x", 10000)},
		[2]string{"word/document.xml", documentXML},
	)
	// Content types last, as some writers put them.
	typesLast := zipOf(t,
		[2]string{"word/document.xml", documentXML},
		[2]string{"_rels/.rels", "<Relationships/>"},
		[2]string{"[Content_Types].xml", contentTypes(docxOverride)},
	)
	macro := zipOf(t,
		[2]string{"[Content_Types].xml", contentTypes(`<Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>`)},
		[2]string{"word/document.xml", documentXML},
		[2]string{"word/vbaProject.bin", "macro"},
	)
	template := zipOf(t,
		[2]string{"[Content_Types].xml", contentTypes(`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"/>`)},
		[2]string{"word/document.xml", documentXML},
	)
	for _, tc := range []struct {
		name    string
		content []byte
		want    string
	}{
		{"PDF", []byte(samplePDF), files.TypePDF},
		{"JPEG", sampleJPEG(t), files.TypeJPEG},
		{"PNG", samplePNG(t), files.TypePNG},
		{"TIFF little-endian", sampleTIFF(), files.TypeTIFF},
		{"TIFF big-endian", []byte("MM\x00\x2a\x00\x00\x00\x08rest of it"), files.TypeTIFF},
		{"DOCX", sampleDOCX(t), files.TypeDOCX},
		{"XLSX", sampleXLSX(t), files.TypeXLSX},
		{"DOCX with a large first part", bigFirst, files.TypeDOCX},
		{"DOCX with content types last", typesLast, files.TypeDOCX},
		{"XML", []byte(sampleXML), files.TypeXML},
		{"XML with a byte order mark", []byte("\xef\xbb\xbf" + sampleXML), files.TypeXML},
		{"XML in an ASCII-compatible code page", []byte(`<?xml version="1.0" encoding="windows-1258"?><KetQua>ok</KetQua>`), files.TypeXML},
		{"XML with a digital signature", []byte(`<?xml version="1.0" encoding="UTF-8"?><KetQua><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature></KetQua>`), files.TypeXML},
		{"XML with standard entities", []byte(`<?xml version="1.0"?><a b="&lt;&amp;">&#x41;&gt;</a>`), files.TypeXML},

		{"empty", nil, ""},
		{"plain text", []byte("Đây là văn bản thường, không phải PDF.\n"), ""},
		{"binary noise", []byte{0, 1, 2, 3, 4, 5, 0xff, 0xfe}, ""},
		{"plain ZIP", zipOf(t, [2]string{"a.txt", "hello"}), ""},
		{"ZIP with word/ but no content types", zipOf(t, [2]string{"word/document.xml", documentXML}), ""},
		{"ZIP whose declared main part is missing", zipOf(t, [2]string{"[Content_Types].xml", contentTypes(docxOverride)}, [2]string{"word/other.xml", documentXML}), ""},
		{"ZIP declaring a document and a workbook", zipOf(t,
			[2]string{"[Content_Types].xml", contentTypes(docxOverride + xlsxOverride)},
			[2]string{"word/document.xml", documentXML}, [2]string{"xl/workbook.xml", workbookXML}), ""},
		{"macro-enabled DOCM", macro, ""},
		{"DOTX template", template, ""},
		{"PPTX", zipOf(t,
			[2]string{"[Content_Types].xml", contentTypes(`<Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/>`)},
			[2]string{"ppt/presentation.xml", "<p/>"}), ""},
		{"truncated ZIP", sampleDOCX(t)[:40], ""},
		{"SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><script>alert(1)</script></svg>`), ""},
		{"SVG with an XML declaration", []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>`), ""},
		{"HTML", []byte("<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>"), ""},
		{"XHTML", []byte(`<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>`), ""},
		{"XML with a nested XHTML script", []byte(`<?xml version="1.0"?><KetQua><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></KetQua>`), ""},
		{"XML with the XHTML namespace behind a character reference", []byte(`<?xml version="1.0"?><KetQua><x xmlns="http://www.w3.org/1999/&#x78;html"><script>alert(1)</script></x></KetQua>`), ""},
		{"XML with nested SVG", []byte(`<?xml version="1.0"?><KetQua><svg xmlns="http://www.w3.org/2000/svg"/></KetQua>`), ""},
		{"XML with an XSLT stylesheet instruction", []byte(`<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="x.xsl"?><KetQua/>`), ""},
		{"XSLT", []byte(`<?xml version="1.0"?><xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"/>`), ""},
		{"XML with an undeclared entity", []byte(`<?xml version="1.0"?><!DOCTYPE a [<!ENTITY ns "http://www.w3.org/1999/xhtml">]><a><b xmlns="&ns;"/></a>`), ""},
		{"malformed XML", []byte(`<?xml version="1.0"?><KetQua><SoHoSo></KetQua>`), ""},
		{"XML in UTF-16", append([]byte{0xff, 0xfe}, utf16le(`<?xml version="1.0" encoding="UTF-16"?><a/>`)...), ""},
		{"XML declared UTF-16 in ASCII", []byte(`<?xml version="1.0" encoding="UTF-16"?><a/>`), ""},
		{"XML without a declaration", []byte(`<KetQua>ok</KetQua>`), ""},
		{"JSON", []byte(`{"a": 1}`), ""},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := detect(t, tc.content); got != tc.want {
				t.Errorf("Detect = %q, want %q", got, tc.want)
			}
		})
	}
}

func utf16le(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

// TestDetectedAndNamed runs the whole rule: the type told from the bytes,
// then checked against the kind and the name.
func TestDetectedAndNamed(t *testing.T) {
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)
	html := []byte("<!DOCTYPE html><html><body>x</body></html>")
	for _, tc := range []struct {
		name    string
		content []byte
		kind    files.Kind
		file    string
		field   string // "" when accepted
	}{
		{"a PDF result", []byte(samplePDF), files.KindResult, "ket-qua.pdf", ""},
		{"an XML result", []byte(sampleXML), files.KindResult, "ket-qua.xml", ""},
		{"a DOCX component", sampleDOCX(t), files.KindComponent, "to-khai.docx", ""},
		{"an XLSX component", sampleXLSX(t), files.KindComponent, "bang-ke.XLSX", ""},
		{"a scanned TIFF", sampleTIFF(), files.KindComponent, "scan.tif", ""},
		{"a text file named .pdf", []byte("không phải PDF"), files.KindComponent, "gia-mao.pdf", files.FieldContent},
		{"a PNG named .pdf", samplePNG(t), files.KindComponent, "anh.pdf", files.FieldName},
		{"a DOCX named .xlsx", sampleDOCX(t), files.KindComponent, "to-khai.xlsx", files.FieldName},
		{"an XLSX named .docx", sampleXLSX(t), files.KindComponent, "bang.docx", files.FieldName},
		{"an SVG result", svg, files.KindResult, "ket-qua.svg", files.FieldContent},
		{"an SVG result named .xml", svg, files.KindResult, "ket-qua.xml", files.FieldContent},
		{"an HTML result", html, files.KindResult, "ket-qua.html", files.FieldContent},
		{"an HTML result named .xml", html, files.KindResult, "ket-qua.xml", files.FieldContent},
		{"a plain ZIP named .docx", zipOf(t, [2]string{"a.txt", "x"}), files.KindComponent, "to-khai.docx", files.FieldContent},
		{"a JPEG result", sampleJPEG(t), files.KindResult, "anh.jpg", files.FieldContent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := files.CheckType(tc.kind, detect(t, tc.content), tc.file)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var de *domain.Error
			if !errors.As(err, &de) || de.Kind != domain.KindUnsupportedMedia {
				t.Fatalf("error %v, want an unsupported media error", err)
			}
			if nameRefused := strings.HasPrefix(de.Message, "Phần mở rộng"); nameRefused != (tc.field == files.FieldName) {
				t.Fatalf("error %q, want the refusal of the %s", de.Message, tc.field)
			}
		})
	}
}

// failingReaderAt fails every read.
type failingReaderAt struct{}

func (failingReaderAt) ReadAt([]byte, int64) (int, error) { return 0, errors.New("disk on fire") }

func TestDetectReadFailure(t *testing.T) {
	if _, err := storage.Detect(failingReaderAt{}, 100); err == nil {
		t.Fatal("a failing reader is not an error")
	}
}
