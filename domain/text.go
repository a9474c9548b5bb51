package domain

import (
	"unicode/utf8"
)

// TextFault is what is wrong with a piece of input text.
type TextFault int

// Text faults, in the order CheckText looks for them.
const (
	// TextOK is text that may be stored.
	TextOK TextFault = iota
	// TextInvalidUTF8 is bytes that are not UTF-8: the request cannot be
	// read as text at all (400).
	TextInvalidUTF8
	// TextControl is a NUL or another control character (C0, DEL or C1);
	// tab, line feed and carriage return are allowed in free text (422).
	TextControl
)

// CheckText is the one input check for text, whatever carries it (a path,
// a query value, a JSON string, an import line): s must be UTF-8 and hold no
// control character, except tab, line feed and carriage return when
// multiline (free text such as a feedback's content or a note).
func CheckText(s string, multiline bool) TextFault {
	fault := TextOK
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				if !multiline || (c != '\t' && c != '\n' && c != '\r') {
					fault = TextControl
				}
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return TextInvalidUTF8
		}
		if r >= 0x80 && r <= 0x9f {
			fault = TextControl
		}
		i += n
	}
	return fault
}
