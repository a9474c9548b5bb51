package dossier

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/motcua/motcua/domain/worktime"
)

// FormatCode returns the dossier code {unit code}-{yyMMdd}-{NNNN}
// (Decree 61, Art. 26): the reception unit, the local date of receipt (of
// submission for an online dossier) and the ordinal n of the dossier that
// unit received that day, zero-padded to 4 digits and 5 or more after 9,999.
func FormatCode(unit string, day worktime.Date, n int64) string {
	return fmt.Sprintf("%s-%02d%02d%02d-%04d", unit, day.Year%100, int(day.Month), day.Day, n)
}

// Series names the gap-free counter that numbers the dossiers of unit on
// local date day.
func Series(unit string, day worktime.Date) string {
	return fmt.Sprintf("dossier|%s|%02d%02d%02d", unit, day.Year%100, int(day.Month), day.Day)
}

// MaskIDNumber keeps the first 3 and the last 2 characters of an ID number
// and masks the rest ("001234567890" → "001*******90"); numbers of 5
// characters or fewer are masked whole.
func MaskIDNumber(id string) string {
	r := []rune(id)
	if len(r) == 0 {
		return ""
	}
	if len(r) <= 5 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-5) + string(r[len(r)-2:])
}

// MaskPhone keeps the last 3 digits of a phone number.
func MaskPhone(phone string) string {
	r := []rune(phone)
	if len(r) <= 3 {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-3) + string(r[len(r)-3:])
}

// Fold lowers s and strips Vietnamese diacritics (đ → d), so a search for
// "nguyen van an" finds "Nguyễn Văn An".
func Fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if base, ok := foldTable[r]; ok {
			r = base
		}
		b.WriteRune(r)
	}
	return b.String()
}

// foldTable maps the lower-case Vietnamese letters with diacritics to their
// base letter.
var foldTable = func() map[rune]rune {
	groups := map[rune]string{
		'a': "àáảãạăằắẳẵặâầấẩẫậ",
		'e': "èéẻẽẹêềếểễệ",
		'i': "ìíỉĩị",
		'o': "òóỏõọôồốổỗộơờớởỡợ",
		'u': "ùúủũụưừứửữự",
		'y': "ỳýỷỹỵ",
		'd': "đ",
	}
	m := map[rune]rune{}
	for base, s := range groups {
		for _, r := range s {
			m[r] = base
		}
	}
	return m
}()
