package dossier

import "github.com/motcua/motcua/domain"

// CheckNew normalises in (trims its text, drops the spaces of the ID
// number) and records in fe every problem of its own fields, exactly as a
// registration at the counter checks them: procedure code present, channel,
// on-spot only for direct dossiers, applicant, documents and note. It does
// not look the procedure up. The importer (domain/importer) uses it so that
// an imported dossier passes the same field rules as a registered one.
func CheckNew(in *NewDossier, fe domain.FieldErrors) {
	in.normalize()
	in.validate(fe)
}
