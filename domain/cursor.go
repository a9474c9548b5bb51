package domain

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// Cursor is a position in a list ordered newest first by a time, then by
// highest id: the list goes on with the items after it (keyset pagination,
// no OFFSET to skip). Dossier and feedback lists use it.
type Cursor struct {
	At time.Time
	ID int64
}

// cursorVersion prefixes encoded cursors so their shape can change.
const cursorVersion = "c1"

// String encodes c as an opaque URL-safe token.
func (c Cursor) String() string {
	raw := cursorVersion + "." + strconv.FormatInt(c.At.UnixNano(), 36) + "." + strconv.FormatInt(c.ID, 36)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// ParseCursor decodes a token of Cursor.String; ok is false for anything
// else.
func ParseCursor(s string) (c Cursor, ok bool) {
	if s == "" || len(s) > 64 {
		return Cursor{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, false
	}
	parts := strings.Split(string(raw), ".")
	if len(parts) != 3 || parts[0] != cursorVersion {
		return Cursor{}, false
	}
	ns, err1 := strconv.ParseInt(parts[1], 36, 64)
	id, err2 := strconv.ParseInt(parts[2], 36, 64)
	if err1 != nil || err2 != nil || id < 1 {
		return Cursor{}, false
	}
	return Cursor{At: time.Unix(0, ns).UTC(), ID: id}, true
}
