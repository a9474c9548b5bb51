package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"io"
	"math/rand/v2"
)

// pdfHeader opens every generated body: the server sniffs the type from
// the content and refuses a file named .pdf that is not one.
const pdfHeader = "%PDF-1.7\n"

// blockSize is how much of the body is generated at a time: the only
// buffer a body holds, whatever its size.
const blockSize = 64 << 10

// body is a generated upload: pdfHeader, then pseudo-random bytes from a
// seeded PCG up to size bytes in all. It is made block by block as it is
// read, so a 200 MiB body never exists in memory, and the bytes do not
// depend on how the reader is called (the same seed and size give the same
// bytes to the HTTP client and to the floor). Random bytes leave nothing
// for a compressing layer to win. It hashes what it hands out: Sum is the
// SHA-256 of the bytes read so far, and a read fails once ctx is done, so a
// timed-out run stops copying.
type body struct {
	ctx      context.Context
	size     int64 // bytes in all
	off      int64 // bytes handed out
	rng      *rand.PCG
	block    []byte
	pos, end int // the unread part of block
	filled   int64
	sum      hash.Hash
}

func newBody(ctx context.Context, seed uint64, size int64) *body {
	return &body{ctx: ctx, size: size, rng: rand.NewPCG(seed, seed^0x9e3779b97f4a7c15),
		block: make([]byte, blockSize), sum: sha256.New()}
}

// Read hands out the next bytes of the body.
func (b *body) Read(p []byte) (int, error) {
	if b.off >= b.size {
		return 0, io.EOF
	}
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	if b.pos == b.end {
		b.fill()
	}
	n := copy(p, b.block[b.pos:b.end])
	b.sum.Write(p[:n])
	b.pos += n
	b.off += int64(n)
	return n, nil
}

// fill generates the next block, the header at the start of the first.
func (b *body) fill() {
	for i := 0; i+8 <= len(b.block); i += 8 {
		binary.LittleEndian.PutUint64(b.block[i:], b.rng.Uint64())
	}
	if b.filled == 0 {
		copy(b.block, pdfHeader)
	}
	b.pos, b.end = 0, int(min(int64(len(b.block)), b.size-b.filled))
	b.filled += int64(b.end)
}

// Sum is the lowercase hex SHA-256 of the bytes read so far (of the whole
// body once it has been read to its end).
func (b *body) Sum() string { return hex.EncodeToString(b.sum.Sum(nil)) }

// handedOut is the number of bytes read so far.
func (b *body) handedOut() int64 { return b.off }
