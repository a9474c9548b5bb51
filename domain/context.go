package domain

import "context"

type freshReadsKey struct{}

// WithFreshReads marks ctx so that reads go to the primary database rather
// than a read replica: a user who has just written reads their own writes.
func WithFreshReads(ctx context.Context) context.Context {
	return context.WithValue(ctx, freshReadsKey{}, true)
}

// FreshReads reports whether ctx asks for reads from the primary.
func FreshReads(ctx context.Context) bool {
	v, _ := ctx.Value(freshReadsKey{}).(bool)
	return v
}
