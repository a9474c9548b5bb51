package notify

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"text/template"
)

// The staff digest of an escalation run: one e-mail per staff member
// listing the items of that run that are close to or past their due
// time. It is built in (provinces do not override it): staff, not
// citizens, read it.

//go:embed templates/digest/escalation.txt
var digestSource string

var digestTemplate = template.Must(template.New("templates/digest/escalation.txt").
	Option("missingkey=error").Parse(digestSource))

// DigestData is everything the digest prints. Like Data it has no field
// for any person: an item is its code, procedure and due time.
type DigestData struct {
	// Count is the number of Items, DueSoon and Overdue how many of them
	// are of each kind.
	Count, DueSoon, Overdue int
	Items                   []DigestItem
}

// DigestItem is one line of the digest.
type DigestItem struct {
	Kind          string // "Quá hạn" or "Sắp đến hạn" (DigestKind)
	Subject       string // "hồ sơ" or "phản ánh" (DigestSubject)
	Code          string
	ProcedureName string // may be empty
	DueAt         string // local time, FormatTime
}

// The digest's words for the kinds and subjects.
const (
	DigestOverdue  = "Quá hạn"
	DigestDueSoon  = "Sắp đến hạn"
	DigestDossier  = "hồ sơ"
	DigestFeedback = "phản ánh"
)

// Digest renders the staff digest of d. An empty digest is an error: no
// message is sent about nothing.
func Digest(d DigestData) (Email, error) {
	if len(d.Items) == 0 {
		return Email{}, errors.New("notify: empty digest")
	}
	d.Count = len(d.Items)
	d.DueSoon, d.Overdue = 0, 0
	for _, it := range d.Items {
		if it.Kind == DigestOverdue {
			d.Overdue++
		} else {
			d.DueSoon++
		}
	}
	var b strings.Builder
	if err := digestTemplate.Execute(&b, d); err != nil {
		return Email{}, fmt.Errorf("notify: digest: %w", err)
	}
	head, body, _ := strings.Cut(b.String(), "\n\n")
	subject, ok := strings.CutPrefix(head, subjectPrefix)
	if !ok {
		return Email{}, errors.New("notify: digest: no subject line")
	}
	return Email{Subject: strings.TrimSpace(subject), Body: strings.TrimSpace(body) + "\n"}, nil
}
