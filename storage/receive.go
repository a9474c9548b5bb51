package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"strconv"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/files"
)

// Received is an upload streamed by Receive into a temporary file of its
// store: the file (complete and synced to disk, its offset unspecified),
// the lowercase hex SHA-256 digest and the size of its content, and the
// detected content type ("" when of no accepted type; see Detect).
//
// The caller owns Tmp: it checks the type (files.CheckType) and hands Tmp
// either to the store's Put under SHA256 and Size, or to its Discard.
type Received struct {
	Tmp         *os.File
	SHA256      string
	Size        int64
	ContentType string
}

// Receive streams body, an upload sent as the raw request body, into a new
// temporary file of store, hashing it with SHA-256 as it goes: it never
// holds the content in memory. A body of up to max bytes is accepted (max
// itself included); at most max+1 bytes are read, and a longer body is a
// KindTooLarge error, as is an *http.MaxBytesError from a body the caller
// limited itself. An empty body is a KindValidation error on
// files.FieldContent. A body that cannot be read to its end (the client
// hung up) is a KindInvalid error; a cancelled ctx is ctx's error. Other
// failures (the disk) are internal errors. On any error the temporary file
// has been discarded and the returned Received is empty.
//
// Receive does not judge the detected type: the caller does, with
// files.CheckType, which needs the kind of file and its name.
func Receive(ctx context.Context, store files.BlobStore, body io.Reader, max int64) (rec Received, err error) {
	if max <= 0 {
		return Received{}, fmt.Errorf("storage: receive: limit %d is not positive", max)
	}
	tmp, err := store.NewTemp()
	if err != nil {
		return Received{}, fmt.Errorf("storage: receive: %w", err)
	}
	defer func() {
		if err != nil {
			store.Discard(tmp)
			rec = Received{}
		}
	}()

	limit := max
	if limit < math.MaxInt64 {
		limit++ // one byte more than allowed tells a body over the limit
	}
	lr := io.LimitReader(body, limit)
	h := sha256.New()
	buf := make([]byte, 64<<10)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return Received{}, fmt.Errorf("storage: receive: %w", err)
		}
		k, rerr := lr.Read(buf)
		if k > 0 {
			if _, werr := tmp.Write(buf[:k]); werr != nil {
				return Received{}, fmt.Errorf("storage: receive: write temporary file: %w", werr)
			}
			h.Write(buf[:k])
			n += int64(k)
			if n > max {
				return Received{}, tooLarge(max)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			var mbe *http.MaxBytesError
			if errors.As(rerr, &mbe) {
				return Received{}, tooLarge(min(max, mbe.Limit))
			}
			if cerr := ctx.Err(); cerr != nil {
				return Received{}, fmt.Errorf("storage: receive: %w", cerr)
			}
			return Received{}, domain.Wrap(domain.KindInvalid, rerr, "Không đọc được trọn nội dung tệp tải lên")
		}
	}
	if n == 0 {
		return Received{}, domain.FieldErrors{files.FieldContent: "bắt buộc: nội dung tệp rỗng"}.Err()
	}
	if err := tmp.Sync(); err != nil {
		return Received{}, fmt.Errorf("storage: receive: sync temporary file: %w", err)
	}
	ct, err := Detect(tmp, n)
	if err != nil {
		return Received{}, fmt.Errorf("storage: receive: detect type: %w", err)
	}
	return Received{Tmp: tmp, SHA256: hex.EncodeToString(h.Sum(nil)), Size: n, ContentType: ct}, nil
}

// tooLarge is the KindTooLarge answer to an upload over max bytes; its
// details carry the limit as max_bytes.
func tooLarge(max int64) error {
	return &domain.Error{Kind: domain.KindTooLarge,
		Message: "Tệp tải lên quá lớn (tối đa " + formatBytes(max) + ")",
		Details: map[string]any{"max_bytes": max}}
}

// formatBytes writes n in the largest binary unit that divides it exactly:
// "20 MiB", "1536 KiB", "1000 byte".
func formatBytes(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if n >= u.size && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + " " + u.name
		}
	}
	return strconv.FormatInt(n, 10) + " byte"
}
