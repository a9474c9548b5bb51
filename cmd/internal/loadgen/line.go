package loadgen

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendLine appends r as one NDJSON import line (the dossier lines of
// docs/openapi.yaml) and a newline. Times are written in loc.
func AppendLine(b []byte, r *Record, loc *time.Location) []byte {
	b = append(b, `{"code":`...)
	b = AppendString(b, r.Code)
	b = append(b, `,"procedure_code":`...)
	b = AppendString(b, r.Procedure)
	b = append(b, `,"unit_code":`...)
	b = AppendString(b, r.Unit)
	b = append(b, `,"channel":`...)
	b = AppendString(b, r.Channel)
	b = append(b, `,"status":`...)
	b = AppendString(b, r.Status)
	b = append(b, `,"on_spot":`...)
	b = strconv.AppendBool(b, r.OnSpot)
	b = append(b, `,"applicant":`...)
	b = AppendApplicant(b, r.Applicant)
	if r.Channel == "online" {
		b = appendTime(b, "submitted_at", r.Submitted, loc)
	}
	b = appendTime(b, "received_at", r.Received, loc)
	if !r.CalendarDue {
		b = appendTime(b, "due_at", r.Due, loc)
		b = appendTime(b, "appointment_at", r.Due, loc)
	}
	b = appendTime(b, "resolved_at", r.Resolved, loc)
	if r.Outcome != "" {
		b = append(b, `,"outcome":`...)
		b = AppendString(b, r.Outcome)
	}
	b = appendTime(b, "returned_at", r.Returned, loc)
	b = appendTime(b, "withdrawn_at", r.Withdrawn, loc)
	b = appendTime(b, "stopped_at", r.Stopped, loc)
	b = appendTime(b, "rejected_at", r.Rejected, loc)
	for _, f := range [...]struct {
		name string
		on   bool
	}{{"digitised", r.Digitised}, {"e_result", r.EResult}, {"paid_online", r.PaidOnline}} {
		if f.on {
			b = append(b, `,"`+f.name+`":true`...)
		}
	}
	return append(b, "}\n"...)
}

// AppendApplicant appends a as the JSON object an import line and a
// registration both carry: name, id_number, phone and address.
func AppendApplicant(b []byte, a Applicant) []byte {
	b = append(b, `{"name":`...)
	b = AppendString(b, a.Name)
	b = append(b, `,"id_number":`...)
	b = AppendString(b, a.IDNumber)
	b = append(b, `,"phone":`...)
	b = AppendString(b, a.Phone)
	b = append(b, `,"address":`...)
	b = AppendString(b, a.Address)
	return append(b, '}')
}

// appendTime appends `,"name":"RFC 3339 time in loc"`, nothing when t is
// zero.
func appendTime(b []byte, name string, t time.Time, loc *time.Location) []byte {
	if t.IsZero() {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, `":"`...)
	b = t.In(loc).AppendFormat(b, time.RFC3339)
	return append(b, '"')
}

// AppendString appends s as a JSON string; a byte that is not UTF-8
// becomes U+FFFD, as encoding/json writes it.
func AppendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
			i++
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			i++
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+n]...)
			}
			i += n
		}
	}
	return append(b, '"')
}
