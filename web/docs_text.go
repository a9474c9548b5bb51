package web

import (
	"strings"
)

// Turning the document's descriptions into the page's text: paragraphs,
// pipe tables and `code` spans, and the anchors of sections.

// joinSpans appends b to a description a, a space between them.
func joinSpans(a, b []docSpan) []docSpan {
	if len(a) == 0 || len(b) == 0 {
		return append(a, b...)
	}
	return append(append(a, docSpan{Text: " "}), b...)
}

// anchor makes an id fragment from a name: letters, digits and "-".
func anchor(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// docBlocks splits a description into paragraphs (at blank lines) and pipe
// tables (blocks whose every line starts with "|").
func docBlocks(text string) []docBlock {
	var out []docBlock
	for _, chunk := range strings.Split(strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n"), "\n\n") {
		lines := strings.Split(strings.TrimSpace(chunk), "\n")
		if len(lines) == 0 || strings.TrimSpace(chunk) == "" {
			continue
		}
		var prose []string
		flush := func() {
			if len(prose) > 0 {
				out = append(out, docBlock{Para: docSpans(strings.Join(prose, " "))})
				prose = nil
			}
		}
		for i := 0; i < len(lines); {
			if !isTableLine(lines[i]) {
				prose = append(prose, strings.TrimSpace(lines[i]))
				i++
				continue
			}
			flush()
			j := i
			for j < len(lines) && isTableLine(lines[j]) {
				j++
			}
			out = append(out, tableBlock(lines[i:j]))
			i = j
		}
		flush()
	}
	return out
}

// isTableLine reports whether a line of a description is a row of a pipe
// table.
func isTableLine(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "|") }

// tableBlock reads a pipe table: a head row, a rule row of dashes, then
// body rows. Without the rule row every line is a body row.
func tableBlock(lines []string) docBlock {
	t := &docTable{}
	rows := make([][]docCell, 0, len(lines))
	for _, l := range lines {
		rows = append(rows, tableCells(l))
	}
	if len(rows) >= 2 && isRule(lines[1]) {
		t.Head = rows[0]
		rows = rows[2:]
	}
	t.Rows = rows
	return docBlock{Table: t}
}

// isRule reports whether a table line is the rule under the head row:
// dashes, colons, pipes and spaces only.
func isRule(l string) bool {
	s := strings.Trim(strings.TrimSpace(l), "|")
	return s != "" && strings.Trim(s, "-:| ") == ""
}

// tableCells splits a table line into its cells, without the outer pipes.
func tableCells(l string) []docCell {
	s := strings.TrimSpace(l)
	s = strings.TrimPrefix(s, "|")
	s = strings.TrimSuffix(s, "|")
	var cells []docCell
	for _, c := range strings.Split(s, "|") {
		cells = append(cells, docCell(docSpans(strings.TrimSpace(c))))
	}
	return cells
}

// docSpans splits text into plain and `code` runs; newlines become spaces.
func docSpans(text string) []docSpan {
	text = strings.Join(strings.Fields(text), " ")
	if text == "" {
		return nil
	}
	var out []docSpan
	for i, part := range strings.Split(text, "`") {
		if part == "" {
			continue
		}
		out = append(out, docSpan{Text: part, Code: i%2 == 1})
	}
	return out
}
