package storage

// Upload exposes the S3 store's single PUT to the tests, so that a body
// failing half-way can be sent.
var Upload = (*S3).upload
