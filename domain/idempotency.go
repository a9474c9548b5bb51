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

// IdempotentOutcome is what the handler of a claimed request asks of the
// transaction it ran in (IdempotencyStore.Run): the answer, whether its
// writes stand, and whether the answer is kept for replays.
type IdempotentOutcome struct {
	Status      int
	ContentType string
	Body        []byte
	// Commit keeps the request's writes (a success). A refusal changes
	// nothing, and a failure (5xx, 429, a panic) neither.
	Commit bool
	// Keep stores the answer with the key, in the same transaction: final
	// answers (2xx–4xx but 429) that fit. A failure is not kept, and the
	// key is free again, as if the request never came.
	Keep bool
}
