package feedback

import "github.com/motcua/motcua/domain"

// CheckNew normalises in (trims its single-line fields) and records in fe
// every problem of its own fields, exactly as Record checks them: channel,
// category, title, content, sender and the format of the linked codes. It
// does not look the links up. The importer (domain/importer) uses it so that
// an imported item passes the same field rules as a recorded one.
func CheckNew(in *NewFeedback, fe domain.FieldErrors) {
	in.normalize()
	in.validate(fe)
}
