package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"mime"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/stats"
)

// The statistics exports are spread over four files: this one negotiates
// the format and sends the download; export_sheet.go holds the cell
// rendering and the one XLSX writer; export_form06.go lays out report form
// 06 and export_indicators.go the simpler reports, both as pure functions
// from a report to cells, without Gin or excelize.

// Export formats of the statistics endpoints.
const (
	formatJSON = "json"
	formatCSV  = "csv"
	formatXLSX = "xlsx"
)

// Content types of the exports.
const (
	contentCSV  = "text/csv; charset=utf-8"
	contentXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// exportFormat picks the answer's format: ?format=json|csv|xlsx wins;
// without it, an Accept header naming text/csv (or the XLSX type) asks for
// that export; JSON otherwise. An unknown format is 422.
func exportFormat(c *gin.Context) (string, error) {
	switch f := strings.ToLower(strings.TrimSpace(c.Query("format"))); f {
	case formatJSON, formatCSV, formatXLSX:
		return f, nil
	case "":
	default:
		return "", domain.FieldErrors{"format": "phải là json, csv hoặc xlsx"}.Err()
	}
	for _, part := range strings.Split(c.GetHeader("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || params["q"] == "0" {
			continue
		}
		switch mt {
		case "application/json", "*/*", "application/*":
			return formatJSON, nil
		case "text/csv":
			return formatCSV, nil
		case contentXLSX:
			return formatXLSX, nil
		}
	}
	return formatJSON, nil
}

// exportName is the download's file name without extension, ASCII only:
// report, period and scope, e.g. thong-ke-phan-anh-kien-nghi_2021-08_toan-tinh.
func exportName(report string, p stats.Period, s stats.Scope) string {
	period := p.From.String() + "_" + p.To.String()
	if p.Name != "" {
		period = p.Name
	}
	unit := "toan-tinh"
	if !s.All() {
		unit = s.UnitCode
	}
	return report + "_" + period + "_" + safeFileName(unit)
}

func safeFileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}

func attachment(c *gin.Context, name string) {
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
}

// utf8BOM makes Excel read a CSV file as UTF-8 (Vietnamese diacritics).
const utf8BOM = "\uFEFF"

// csvDownload answers records as a CSV download with a UTF-8 BOM. Every
// cell passes through csvSafe on its way out, so no writer can forget it.
func csvDownload(name string, records [][]string) (answer, error) {
	var buf bytes.Buffer
	buf.WriteString(utf8BOM)
	safe := make([][]string, len(records))
	for i, rec := range records {
		safe[i] = make([]string, len(rec))
		for j, cell := range rec {
			safe[i][j] = csvSafe(cell)
		}
	}
	if err := csv.NewWriter(&buf).WriteAll(safe); err != nil {
		return answer{}, fmt.Errorf("csv export: %w", err)
	}
	return download(name+".csv", contentCSV, buf.Bytes()), nil
}

// csvSafe defuses a cell that a spreadsheet would read as a formula: one
// that begins with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe, which Excel and LibreOffice show as text. It is applied to
// every cell, numbers included: the figures we write are counts and rates,
// never negative, so in practice only text (names, fields, codes that came
// from users) is ever changed, and a negative number, were one ever
// written, would still be safe.
func csvSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// xlsxDownload answers the workbook build makes as an XLSX download.
func xlsxDownload(name string, build func() ([]byte, error)) (answer, error) {
	b, err := build()
	if err != nil {
		return answer{}, fmt.Errorf("xlsx export: %w", err)
	}
	return download(name+".xlsx", contentXLSX, b), nil
}
