// Package domain is the shared kernel of motcua: the error model every layer
// speaks. The business areas live in its sub-packages (worktime, catalog,
// user, dossier, feedback, stats); none of them imports anything outside the
// standard library.
package domain
