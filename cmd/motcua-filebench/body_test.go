package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"
	"testing/iotest"
)

// TestBodyIsTheSameBytesHoweverRead: the upload and the floor read the
// body differently, and the check of the upload compares digests, so its
// bytes must not depend on the reads; it starts with the PDF header, has
// the size asked, and Sum is the digest of what was read.
func TestBodyIsTheSameBytesHoweverRead(t *testing.T) {
	const size = 3*blockSize + 1234
	ctx := context.Background()
	whole, err := io.ReadAll(newBody(ctx, 7, size))
	if err != nil {
		t.Fatal(err)
	}
	if len(whole) != size || !bytes.HasPrefix(whole, []byte(pdfHeader)) {
		t.Fatalf("%d bytes, prefix %q", len(whole), whole[:len(pdfHeader)])
	}
	want := sha256.Sum256(whole)
	for _, r := range []func(*body) io.Reader{
		func(b *body) io.Reader { return iotest.OneByteReader(b) },
		func(b *body) io.Reader { return iotest.HalfReader(b) },
		func(b *body) io.Reader { return b },
	} {
		b := newBody(ctx, 7, size)
		got, err := io.ReadAll(r(b))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, whole) || b.Sum() != hex.EncodeToString(want[:]) || b.handedOut() != size {
			t.Fatalf("another way of reading gave other bytes (%d, sum %s)", len(got), b.Sum())
		}
	}
	other, _ := io.ReadAll(newBody(ctx, 8, size))
	if bytes.Equal(other[len(pdfHeader):], whole[len(pdfHeader):]) {
		t.Error("two seeds gave the same bytes")
	}
}

// TestBodyStopsWithItsContext: a timed-out run stops feeding the upload.
func TestBodyStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	b := newBody(ctx, 1, 10*blockSize)
	if _, err := io.CopyN(io.Discard, b, blockSize); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := io.Copy(io.Discard, b); err != context.Canceled {
		t.Errorf("after cancel: %v, want context.Canceled", err)
	}
}
