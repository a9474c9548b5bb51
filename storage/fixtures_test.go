package storage_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// The samples of each kind of content, built here so that no binary
// fixture is needed.

const samplePDF = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" +
	"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n" +
	"trailer\n<< /Root 1 0 R >>\n%%EOF\n"

func sampleImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	return img
}

func samplePNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, sampleImage()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func sampleJPEG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, sampleImage(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sampleTIFF is a little-endian TIFF holding one 1×1 grey pixel.
func sampleTIFF() []byte {
	b := []byte{'I', 'I', 42, 0, 8, 0, 0, 0} // header, first IFD at 8
	entry := func(tag, typ uint16, count, value uint32) []byte {
		return []byte{byte(tag), byte(tag >> 8), byte(typ), byte(typ >> 8),
			byte(count), byte(count >> 8), byte(count >> 16), byte(count >> 24),
			byte(value), byte(value >> 8), byte(value >> 16), byte(value >> 24)}
	}
	entries := [][]byte{
		entry(256, 3, 1, 1),          // width
		entry(257, 3, 1, 1),          // height
		entry(258, 3, 1, 8),          // bits per sample
		entry(259, 3, 1, 1),          // no compression
		entry(262, 3, 1, 1),          // black is zero
		entry(273, 4, 1, 8+2+6*12+4), // strip offset: after the IFD
		entry(278, 3, 1, 1),          // rows per strip
		entry(279, 4, 1, 1),          // strip byte count
	}
	b = append(b, byte(len(entries)), 0)
	for _, e := range entries {
		b = append(b, e...)
	}
	b = append(b, 0, 0, 0, 0) // no next IFD
	return append(b, 0x80)    // the pixel
}

// zipOf writes an archive of the given entries, in order.
func zipOf(t *testing.T, entries ...[2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, e := range entries {
		f, err := w.Create(e[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte(e[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// storedZipOf writes an archive of the given entries, uncompressed.
func storedZipOf(t *testing.T, entries ...[2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, e := range entries {
		f, err := w.CreateHeader(&zip.FileHeader{Name: e[0], Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte(e[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func contentTypes(overrides string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` + overrides + `</Types>`
}

const rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
	`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="%s"/>` +
	`</Relationships>`

const docxOverride = `<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>`

const xlsxOverride = `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
	`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`

const documentXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
	`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:body><w:p><w:r><w:t>Đơn đề nghị</w:t></w:r></w:p></w:body></w:document>`

const workbookXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
	`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ` +
	`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
	`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`

const sheetXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
	`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>1</t></is></c></row></sheetData></worksheet>`

func sampleDOCX(t *testing.T) []byte {
	return zipOf(t,
		[2]string{"[Content_Types].xml", contentTypes(docxOverride)},
		[2]string{"_rels/.rels", fmt.Sprintf(rootRels, "word/document.xml")},
		[2]string{"word/document.xml", documentXML},
	)
}

func sampleXLSX(t *testing.T) []byte {
	return zipOf(t,
		[2]string{"[Content_Types].xml", contentTypes(xlsxOverride)},
		[2]string{"_rels/.rels", fmt.Sprintf(rootRels, "xl/workbook.xml")},
		[2]string{"xl/workbook.xml", workbookXML},
		[2]string{"xl/worksheets/sheet1.xml", sheetXML},
	)
}

const sampleXML = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
	`<KetQua xmlns="urn:motcua:ket-qua"><SoHoSo>000.00.01.H01-260101-0001</SoHoSo>` +
	`<NoiDung>Giấy phép đã được cấp</NoiDung></KetQua>` + "\n"
