package importer

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// lineReader splits a stream into lines with bounded memory: a line longer
// than max bytes is skipped to its end and reported as too long, never held
// whole. Lines end with "\n" (a trailing "\r" is dropped); the last line
// needs no end; a UTF-8 byte order mark before the first line is dropped.
type lineReader struct {
	br  *bufio.Reader
	buf []byte
	max int
	// n is the number of the line last returned, from 1.
	n int64
	// off is the offset just after that line (its end included).
	off int64
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10), max: max}
}

var bom = []byte("\xef\xbb\xbf")

// next returns the next line (valid until the following call) or, when it
// is longer than max, tooLong and no line. It returns io.EOF after the last
// line, and any other read error as it comes (the partial line is dropped).
func (l *lineReader) next() (line []byte, tooLong bool, err error) {
	l.buf = l.buf[:0]
	read := false
	var size int64
	room := l.max + 2 // room for "\r\n"
	if l.n == 0 {
		room += len(bom) // dropped below, so not counted against max
	}
	for {
		frag, err := l.br.ReadSlice('\n')
		if len(frag) > 0 {
			read = true
			size += int64(len(frag))
			if !tooLong {
				if len(l.buf)+len(frag) > room {
					tooLong = true
					l.buf = l.buf[:0]
				} else {
					l.buf = append(l.buf, frag...)
				}
			}
		}
		switch {
		case err == nil:
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if !read {
				return nil, false, io.EOF
			}
		default:
			return nil, false, err
		}
		break
	}
	l.n++
	l.off += size
	if tooLong {
		return nil, true, nil
	}
	line = bytes.TrimSuffix(l.buf, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if l.n == 1 {
		line = bytes.TrimPrefix(line, bom)
	}
	if len(line) > l.max {
		return nil, true, nil
	}
	return line, false, nil
}
