// Package files holds the rules of a dossier's files: the scanned papers
// staff upload as components of a dossier and the electronic results handed
// back. It says which content types are accepted for which kind of file,
// how a file may be named, and what a store of file content must do. The
// content itself is kept once per SHA-256 digest by a BlobStore; versions
// and their metadata live elsewhere and only point at a digest.
package files

import (
	"context"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/motcua/motcua/domain"
)

// Kind is what a dossier file is for.
type Kind string

// The kinds of dossier file.
const (
	// KindComponent is a paper of the dossier's components (a scan or an
	// office document handed in with the dossier).
	KindComponent Kind = "component"
	// KindResult is an electronic result of the dossier.
	KindResult Kind = "result"
)

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool { return k == KindComponent || k == KindResult }

// label is the kind as users read it.
func (k Kind) label() string {
	if k == KindResult {
		return "kết quả giải quyết"
	}
	return "thành phần hồ sơ"
}

// The accepted content types, exactly as they are stored and served.
const (
	TypePDF  = "application/pdf"
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeTIFF = "image/tiff"
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	TypeXML  = "application/xml"
)

// Type is one accepted content type: the name users read, the extensions a
// file of that type may have (lower case, with the dot, the usual one
// first) and the kinds of file it is accepted for.
type Type struct {
	ContentType string
	Label       string
	Extensions  []string
	Component   bool
	Result      bool
}

// Allows reports whether the type is accepted for kind k.
func (t Type) Allows(k Kind) bool {
	switch k {
	case KindComponent:
		return t.Component
	case KindResult:
		return t.Result
	}
	return false
}

// HasExtension reports whether name ends in one of the type's extensions,
// compared without regard to ASCII case (".PDF" is ".pdf"; a non-ASCII
// letter never matches).
func (t Type) HasExtension(name string) bool {
	ext := asciiLower(extension(name))
	for _, e := range t.Extensions {
		if ext == e {
			return true
		}
	}
	return false
}

// types is the table of accepted content types; anything else is refused.
var types = []Type{
	{ContentType: TypePDF, Label: "PDF", Extensions: []string{".pdf"}, Component: true, Result: true},
	{ContentType: TypeJPEG, Label: "JPEG", Extensions: []string{".jpg", ".jpeg"}, Component: true},
	{ContentType: TypePNG, Label: "PNG", Extensions: []string{".png"}, Component: true},
	{ContentType: TypeTIFF, Label: "TIFF", Extensions: []string{".tif", ".tiff"}, Component: true},
	{ContentType: TypeDOCX, Label: "DOCX", Extensions: []string{".docx"}, Component: true},
	{ContentType: TypeXLSX, Label: "XLSX", Extensions: []string{".xlsx"}, Component: true},
	{ContentType: TypeXML, Label: "XML", Extensions: []string{".xml"}, Result: true},
}

// Types returns the table of accepted content types, in a fixed order. The
// slice and its extension lists are copies the caller may keep.
func Types() []Type {
	out := make([]Type, len(types))
	for i, t := range types {
		t.Extensions = append([]string(nil), t.Extensions...)
		out[i] = t
	}
	return out
}

// Lookup returns the accepted type whose content type is exactly
// contentType, and false when it is not accepted at all.
func Lookup(contentType string) (Type, bool) {
	for _, t := range Types() {
		if t.ContentType == contentType {
			return t, true
		}
	}
	return Type{}, false
}

// The fields CheckType and CheckName name in their validation errors.
const (
	// FieldName is the file's name as the user gave it.
	FieldName = "name"
	// FieldContent is the uploaded content (the request body).
	FieldContent = "body"
	// FieldKind is the kind of file.
	FieldKind = "kind"
)

// CheckType checks that content of the detected contentType ("" when the
// content is of no accepted type) may be stored as a file of kind named
// name. An unknown kind is a KindValidation error on FieldKind. A type
// outside the table or not accepted for kind, and a name whose extension
// the type does not allow, are KindUnsupportedMedia errors whose Details
// say what was detected ("detected": the type, or nil) and what the kind
// takes ("allowed": its content types). It does not check the rest of the
// name: see CheckName.
func CheckType(kind Kind, contentType, name string) error {
	if !kind.Valid() {
		fe := domain.FieldErrors{}
		fe.Add(FieldKind, "phải là component hoặc result")
		return fe.Err()
	}
	t, ok := Lookup(contentType)
	var msg string
	switch {
	case !ok || !t.Allows(kind):
		msg = "Loại tệp không được chấp nhận; " + kind.label() + " chỉ nhận tệp " + allowedLabels(kind)
	case !t.HasExtension(name):
		msg = "Phần mở rộng của tên tệp không khớp với nội dung (" + t.Label + "): phải là " + strings.Join(t.Extensions, " hoặc ")
	default:
		return nil
	}
	var detected any
	if ok {
		detected = t.ContentType
	}
	return &domain.Error{Kind: domain.KindUnsupportedMedia, Message: msg,
		Details: map[string]any{"detected": detected, "allowed": AllowedTypes(kind)}}
}

// AllowedTypes are the content types a file of kind may have, in the
// table's order.
func AllowedTypes(kind Kind) []string {
	var out []string
	for _, t := range types {
		if t.Allows(kind) {
			out = append(out, t.ContentType)
		}
	}
	return out
}

// allowedLabels lists the labels of the types accepted for kind, as in
// "PDF, JPEG hoặc PNG".
func allowedLabels(kind Kind) string {
	var labels []string
	for _, t := range types {
		if t.Allows(kind) {
			labels = append(labels, t.Label)
		}
	}
	if len(labels) < 2 {
		return strings.Join(labels, "")
	}
	return strings.Join(labels[:len(labels)-1], ", ") + " hoặc " + labels[len(labels)-1]
}

// MaxNameLen is the longest file name accepted, in characters (runes).
const MaxNameLen = 255

// CheckName checks a file's name as the user gave it: required (not blank),
// at most MaxNameLen characters, valid UTF-8, with no '/', no '\\' and no
// control character, and neither "." nor "..". The error is a
// KindValidation *domain.Error on FieldName, nil when the name is fine.
// The name is only ever shown and offered as a download name; it never
// becomes a path.
func CheckName(name string) error {
	fe := domain.FieldErrors{}
	switch {
	case strings.TrimSpace(name) == "":
		fe.Add(FieldName, "bắt buộc")
	case domain.CheckText(name, false) == domain.TextInvalidUTF8:
		fe.Add(FieldName, "không phải UTF-8 hợp lệ")
	case utf8.RuneCountInString(name) > MaxNameLen:
		fe.Add(FieldName, "quá dài (tối đa 255 ký tự)")
	case domain.CheckText(name, false) != domain.TextOK:
		fe.Add(FieldName, "không được chứa ký tự điều khiển (như NUL)")
	case strings.ContainsAny(name, `/\`):
		fe.Add(FieldName, `không được chứa ký tự / hoặc \`)
	case name == "." || name == "..":
		fe.Add(FieldName, "không hợp lệ")
	}
	return fe.Err()
}

// extension returns name's extension: from its last dot on, "" when it
// has no dot.
func extension(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

// asciiLower lowers the ASCII letters of s and leaves every other byte.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// ValidSHA256 reports whether s is a SHA-256 digest as the stores key
// content: exactly 64 lowercase hexadecimal digits. Stores check it before
// a digest becomes part of a path or an object key.
func ValidSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ErrContentNotFound is what a BlobStore answers for a digest it holds no
// content for: a KindNotFound error.
var ErrContentNotFound = domain.NotFound("nội dung tệp")

// BlobStore keeps file content, once per SHA-256 digest; content is never
// changed once stored. An upload is streamed into a temporary file from
// NewTemp, then handed to Put under the digest of its content, or to
// Discard when anything went wrong. Implementations are safe for
// concurrent use.
type BlobStore interface {
	// NewTemp creates an empty temporary file, open for reading and
	// writing, for an upload to be streamed into. It must end in Put or
	// Discard.
	NewTemp() (*os.File, error)

	// Put stores the complete content of tmp (from its start, whatever its
	// offset) under sha256, which must be the lowercase hex SHA-256 digest
	// of that content (the store trusts it, and may verify it), and size
	// its length in bytes. Content already stored under sha256 is kept and
	// never rewritten. Put takes tmp over: it is closed and removed whether
	// or not Put succeeds. Content becomes visible to Open and Exists only
	// once it is complete and durable.
	Put(ctx context.Context, tmp *os.File, sha256 string, size int64) error

	// Discard closes and removes a temporary file from NewTemp that will
	// not be stored. It ignores a nil file and is safe to call after a
	// failed Put.
	Discard(tmp *os.File)

	// Open returns a reader of the content stored under sha256, positioned
	// at its start, and its size in bytes. The reader supports Seek (as
	// http.ServeContent needs) and must be closed. A digest with no content
	// (or not a valid digest) is ErrContentNotFound, of kind KindNotFound.
	Open(ctx context.Context, sha256 string) (io.ReadSeekCloser, int64, error)

	// Exists reports whether content is stored under sha256; an invalid
	// digest is simply not there.
	Exists(ctx context.Context, sha256 string) (bool, error)
}
