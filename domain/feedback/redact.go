package feedback

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// span is a byte range [start, end) of a text to be replaced.
type span struct{ start, end int }

// Redact returns text with phone numbers (any Vietnamese spelling), ID
// numbers (9 or 12 digits), e-mail addresses and every secret (the sender's
// own fields) replaced by "***", and how many spans were replaced. Secrets
// are matched on folded text: case, diacritics (NFC or NFD), đ and
// separators do not matter, and a match must start and end at a word edge.
func Redact(text string, secrets ...string) (string, int) {
	var spans []span
	units := foldUnits(text)
	for _, sec := range secrets {
		key := foldKey(sec)
		if len(key) < 3 {
			continue
		}
		spans = append(spans, matchFolded(units, key)...)
		if d := digitsOf(sec); len(d) >= 9 {
			nsn := strings.TrimPrefix(strings.TrimPrefix(d, "84"), "0")
			for _, v := range []string{"0" + nsn, "84" + nsn} {
				if v != string(key) {
					spans = append(spans, matchFolded(units, []rune(v))...)
				}
			}
		}
	}
	spans = append(spans, emailSpans(text)...)
	spans = append(spans, numberSpans(text)...)
	if len(spans) == 0 {
		return text, 0
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var b strings.Builder
	last, n := 0, 0
	for i := 0; i < len(spans); {
		s := spans[i]
		for i++; i < len(spans) && spans[i].start < s.end; i++ {
			s.end = max(s.end, spans[i].end)
		}
		b.WriteString(text[last:s.start])
		b.WriteString(redacted)
		last, n = s.end, n+1
	}
	b.WriteString(text[last:])
	return b.String(), n
}

// unit is one letter or digit of the folded text, with where it lies in the
// original (its combining marks included) and whether a separator or the
// start of the text comes before it.
type unit struct {
	r          rune
	start, end int
	sepBefore  bool
}

// vietnameseFold maps each accented Vietnamese lower-case letter to its base.
var vietnameseFold = func() map[rune]rune {
	m := map[rune]rune{'đ': 'd'}
	for base, all := range map[rune]string{
		'a': "àáảãạăằắẳẵặâầấẩẫậ", 'e': "èéẻẽẹêềếểễệ", 'i': "ìíỉĩị",
		'o': "òóỏõọôồốổỗộơờớởỡợ", 'u': "ùúủũụưừứửữự", 'y': "ỳýỷỹỵ",
	} {
		for _, r := range all {
			m[r] = base
		}
	}
	return m
}()

// foldRune is r lower-cased without diacritics; 0 for a combining mark.
func foldRune(r rune) rune {
	if unicode.Is(unicode.Mn, r) {
		return 0
	}
	r = unicode.ToLower(r)
	if b, ok := vietnameseFold[r]; ok {
		return b
	}
	return r
}

func foldUnits(s string) []unit {
	var out []unit
	sep := true
	for i, r := range s {
		f := foldRune(r)
		switch {
		case f == 0:
			if len(out) > 0 {
				out[len(out)-1].end = i + utf8.RuneLen(r)
			}
		case unicode.IsLetter(f) || unicode.IsDigit(f):
			out = append(out, unit{r: f, start: i, end: i + utf8.RuneLen(r), sepBefore: sep})
			sep = false
		default:
			sep = true
		}
	}
	return out
}

// foldKey is s folded with every separator dropped.
func foldKey(s string) []rune {
	var out []rune
	for _, u := range foldUnits(s) {
		out = append(out, u.r)
	}
	return out
}

// matchFolded finds key in units, separators ignored, at word edges.
func matchFolded(units []unit, key []rune) []span {
	var out []span
	for i := 0; i+len(key) <= len(units); i++ {
		if !units[i].sepBefore {
			continue
		}
		j := i + len(key)
		if j < len(units) && !units[j].sepBefore {
			continue
		}
		ok := true
		for k := range key {
			if units[i+k].r != key[k] {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, span{units[i].start, units[j-1].end})
			i = j - 1
		}
	}
	return out
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isEmailLocal(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._%+-", c) >= 0
}

func isEmailDomain(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-'
}

// emailSpans finds local@domain.tld addresses.
func emailSpans(s string) []span {
	var out []span
	for at := strings.IndexByte(s, '@'); at >= 0; {
		i := at
		for i > 0 && isEmailLocal(s[i-1]) {
			i--
		}
		j := at + 1
		for j < len(s) && isEmailDomain(s[j]) {
			j++
		}
		for j > at+1 && (s[j-1] == '.' || s[j-1] == '-') {
			j--
		}
		if i < at && strings.Contains(s[at+1:j], ".") {
			out = append(out, span{i, j})
		}
		next := strings.IndexByte(s[at+1:], '@')
		if next < 0 {
			break
		}
		at = at + 1 + next
	}
	return out
}

// group is one run of digits in a number chain.
type group struct{ start, end int }

// numberSpans finds phone and ID numbers: chains of digit groups joined by
// single spaces, dots, dashes or brackets, optionally led by "+". A chain
// glued to a letter (part of a code such as H99-261123-0001) or followed by
// a currency word (an amount) is left alone.
func numberSpans(s string) []span {
	var out []span
	isDigit := func(i int) bool { return i < len(s) && s[i] >= '0' && s[i] <= '9' }
	isSep := func(c byte) bool { return c == ' ' || c == '.' || c == '-' || c == '(' || c == ')' }
	for i := 0; i < len(s); {
		if !isDigit(i) {
			i++
			continue
		}
		lead := i
		for lead > 0 && (s[lead-1] == '+' || s[lead-1] == '(') && lead > i-2 {
			lead--
		}
		prev, _ := utf8.DecodeLastRuneInString(s[:lead])
		glued := lead > 0 && (unicode.IsLetter(prev) || unicode.IsDigit(prev))
		var gs []group
		j := i
		for {
			k := j
			for isDigit(k) {
				k++
			}
			gs = append(gs, group{j, k})
			m := k
			for m < len(s) && m-k < 2 && isSep(s[m]) {
				m++
			}
			if m > k && isDigit(m) {
				j = m
				continue
			}
			j = k
			break
		}
		next, _ := utf8.DecodeRuneInString(s[j:])
		if j < len(s) && unicode.IsLetter(next) {
			glued = true
		}
		if !glued && !currencyAfter(s[j:]) {
			out = append(out, chainSpans(s, gs, lead)...)
		}
		i = j
	}
	return out
}

// chainSpans classifies the chain gs (or, failing that, its longest runs of
// whole groups) as phone or ID numbers.
func chainSpans(s string, gs []group, lead int) []span {
	var out []span
	for a := 0; a < len(gs); {
		found := false
		// No personal number has more than maxPersonalDigits digits: the
		// longest run worth trying ends there, so a long chain of digit
		// groups costs linear time, not cubic.
		top, digits := a, 0
		for top < len(gs) && digits+gs[top].end-gs[top].start <= maxPersonalDigits {
			digits += gs[top].end - gs[top].start
			top++
		}
		for b := top; b > a; b-- {
			if personalNumber(s, gs[a:b]) {
				start := gs[a].start
				if a == 0 {
					start = lead
				}
				out = append(out, span{start, gs[b-1].end})
				a, found = b, true
				break
			}
		}
		if !found {
			a++
		}
	}
	return out
}

// maxPersonalDigits is the most digits personalNumber accepts: 84, a 0 and
// ten digits.
const maxPersonalDigits = 13

// personalNumber reports whether the digit groups gs spell a Vietnamese
// phone number (0 + 9 or 10 digits, or 84 + the same without the 0) or an ID
// number (9 digits, or 12 digits starting with 0).
func personalNumber(s string, gs []group) bool {
	var d strings.Builder
	for _, g := range gs {
		d.WriteString(s[g.start:g.end])
	}
	digits := d.String()
	first := gs[0].end - gs[0].start
	multi := len(gs) > 1
	if strings.HasPrefix(digits, "84") && (first == 2 || !multi) {
		rest := strings.TrimPrefix(digits[2:], "0")
		if (len(rest) == 9 || len(rest) == 10) && rest[0] != '0' {
			return true
		}
	}
	n := len(digits)
	if digits[0] == '0' && n > 1 && digits[1] != '0' && (n == 10 || n == 11) && (!multi || first >= 3) {
		return true
	}
	if n == 9 && (!multi || first >= 3) {
		return true
	}
	return n == 12 && digits[0] == '0' && (!multi || first >= 3)
}

// currencyAfter reports whether rest starts with a currency word (an amount).
func currencyAfter(rest string) bool {
	rest = strings.ToLower(strings.TrimLeft(rest, " "))
	for _, w := range []string{"đồng", "đ", "vnd", "vnđ", "triệu", "tỷ", "nghìn", "ngàn"} {
		if strings.HasPrefix(rest, w) {
			return true
		}
	}
	return false
}
