// Copyright ©2026 The motcua authors. Use of this source code is governed
// by the MIT license of this package (LICENSE).

package fpdf

// motcua's changes to fpdf v0.12.0 (README.motcua.md): work that fpdf
// redid in every document and that does not depend on the document. The
// files they write are the same, byte for byte.

import (
	"compress/zlib"
	"crypto/sha1"
	"fmt"
	"io"
	"sync"
)

// utf8FontKey names a UTF-8 font added to a document: its key (family and
// style) and the SHA-1 of its file.
type utf8FontKey struct {
	fontkey string
	file    [sha1.Size]byte
}

// utf8FontIDs are the IDs of the UTF-8 fonts added so far, by utf8FontKey.
var utf8FontIDs sync.Map

// utf8FontID is generateFontID(def) for the UTF-8 font def parsed from
// file, remembered per process. generateFontID hashes a JSON of the whole
// definition, the 65,536-entry width table included, which cost about
// 1 ms for each font of each document; everything in that JSON follows
// from the file and the font's key, so the ID of a file seen before is
// the one computed then.
func utf8FontID(def fontDefType, file []byte) string {
	k := utf8FontKey{fontkey: def.Name, file: sha1.Sum(file)}
	if id, ok := utf8FontIDs.Load(k); ok {
		return id.(string)
	}
	id, _ := generateFontID(def)
	utf8FontIDs.Store(k, id)
	return id
}

// zlibWriters are the writers xmem.compress used before, for it to reuse.
var zlibWriters sync.Pool

// zlibWriter is zlib.NewWriterLevel(w, zlib.BestSpeed), reusing a writer
// from zlibWriters when there is one: a new one allocates and clears about
// 1 MB of compressor state, 0.3 ms for each of the three or more streams of
// each document. A writer reset writes what a new one writes.
func zlibWriter(w io.Writer) *zlib.Writer {
	if zw, ok := zlibWriters.Get().(*zlib.Writer); ok {
		zw.Reset(w)
		return zw
	}
	zw, err := zlib.NewWriterLevel(w, zlib.BestSpeed)
	if err != nil {
		panic(fmt.Errorf("could not create zlib writer: %w", err))
	}
	return zw
}
