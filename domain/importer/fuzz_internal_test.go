package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"
)

// FuzzLineReader: the reader gives back exactly the lines of the input
// (without "\n", a "\r" before it, or a byte order mark before the first
// line), and reports as too long exactly the lines longer than max.
func FuzzLineReader(f *testing.F) {
	f.Fuzz(func(t *testing.T, in []byte, max uint8) {
		limit := int(max%64) + 1
		var want [][]byte
		if len(in) > 0 {
			want = bytes.Split(in, []byte("\n"))
			if bytes.HasSuffix(in, []byte("\n")) {
				want = want[:len(want)-1]
			}
		}
		lr := newLineReader(bytes.NewReader(in), limit)
		for i := 0; ; i++ {
			line, tooLong, err := lr.next()
			if errors.Is(err, io.EOF) {
				if i != len(want) {
					t.Fatalf("%q: %d lines, want %d", in, i, len(want))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if i >= len(want) {
				t.Fatalf("%q: more than %d lines", in, len(want))
			}
			w := bytes.TrimSuffix(want[i], []byte("\r"))
			if i == 0 {
				w = bytes.TrimPrefix(w, bom)
			}
			if lr.n != int64(i+1) {
				t.Fatalf("line number %d, want %d", lr.n, i+1)
			}
			if tooLong != (len(w) > limit) {
				t.Fatalf("%q line %d (%d bytes, max %d): tooLong = %v", in, i+1, len(w), limit, tooLong)
			}
			if !tooLong && !bytes.Equal(line, w) {
				t.Fatalf("%q line %d = %q, want %q", in, i+1, line, w)
			}
		}
	})
}

// FuzzDecodeLine: a line of any import kind decodes without a panic, a
// refused line always says why, and an accepted line's value encodes to a
// line that decodes again to the same value.
func FuzzDecodeLine(f *testing.F) {
	kinds := []func() any{
		func() any { return &dossierLine{} },
		func() any { return &feedbackLine{} },
		func() any { return &procedureLine{} },
	}
	f.Fuzz(func(t *testing.T, kind uint8, line []byte) {
		mk := kinds[int(kind)%len(kinds)]
		dst := mk()
		p := problems{}
		if !decodeLine(line, dst, p) {
			if len(p) == 0 {
				t.Fatalf("%q refused without a problem", line)
			}
			return
		}
		if len(p) != 0 {
			t.Fatalf("%q accepted with problems %v", line, p)
		}
		out, err := json.Marshal(dst)
		if err != nil {
			t.Fatal(err)
		}
		again := mk()
		if !decodeLine(out, again, problems{}) {
			t.Fatalf("re-encoded %s is refused", out)
		}
		if !reflect.DeepEqual(dst, again) {
			t.Fatalf("round trip: %+v != %+v", dst, again)
		}
	})
}
