package domain

// IdempotencyRecord is what an idempotency store finds for an (owner,
// Idempotency-Key) pair when a request begins: the api package declares the
// store it needs, the repository implements it, and both speak this type.
type IdempotencyRecord struct {
	// Claim is set when this call claimed the key: the caller runs the
	// request, then calls Complete or Abandon with it.
	Claim string
	// Mismatch reports that the key holds a different request.
	Mismatch bool
	// Done reports that the first answer is stored in Status, ContentType
	// and Body. Neither Claim, Mismatch nor Done: the first request still
	// runs.
	Done        bool
	Status      int
	ContentType string
	Body        []byte
}
