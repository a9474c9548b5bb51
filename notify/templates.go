package notify

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"text/template"
	"unicode/utf8"
)

//go:embed templates/email/*.txt templates/sms/*.txt
var builtin embed.FS

// The channels, also the template folders.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// MaxSMSLength is the length of one unaccented SMS segment. A longer text
// would be split by the gateway into several billed messages, or cut.
const MaxSMSLength = 160

// subjectPrefix starts the first line of every e-mail template; the line
// after it is blank and the rest is the body, the shape of a message's
// header and body, so a template reads like the message it makes.
const subjectPrefix = "Subject: "

// Templates are the parsed message templates, built-in ones replaced by
// the province's where it has them. A nil entry is a message turned off
// (an empty override file).
type Templates struct {
	email map[string]*template.Template
	sms   map[string]*template.Template
}

// Email is a rendered e-mail.
type Email struct {
	Subject string
	Body    string
}

// Load parses the built-in templates and, when dir is not empty, the
// overrides in dir/email/{type}.txt and dir/sms/{type}.txt: a file there
// replaces the built-in one of the same name, an empty file turns that
// message off, a missing one keeps the default. Every template is executed
// at once with sample data, with every field filled and again with every
// field empty, so a template that does not parse, names an unknown field
// or (for SMS) renders over 160 characters fails here, at start, with an
// error naming its file. A file in dir that is not a known type's is an
// error too: a misspelt name would otherwise be silently ignored. portal
// is the public portal's address (LookupURL's): the sample carries the
// real link, so a template that prints it is measured with it.
func Load(dir, portal string) (*Templates, error) {
	t := &Templates{email: map[string]*template.Template{}, sms: map[string]*template.Template{}}
	var errs []error
	for _, ch := range []string{ChannelEmail, ChannelSMS} {
		for _, typ := range Types() {
			name := path.Join("templates", ch, typ+".txt")
			src, err := fs.ReadFile(builtin, name)
			if err != nil {
				return nil, fmt.Errorf("notify: built-in template %s: %w", name, err)
			}
			if dir != "" {
				file := filepath.Join(dir, ch, typ+".txt")
				b, err := os.ReadFile(file)
				switch {
				case err == nil:
					name, src = file, b
				case !errors.Is(err, fs.ErrNotExist):
					errs = append(errs, fmt.Errorf("notify: template %s: %w", file, err))
					continue
				}
			}
			tpl, err := compile(ch, name, src, portal)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			t.set(ch, typ, tpl)
		}
	}
	if dir != "" {
		errs = append(errs, unknownFiles(dir)...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Templates) set(ch, typ string, tpl *template.Template) {
	if ch == ChannelEmail {
		t.email[typ] = tpl
	} else {
		t.sms[typ] = tpl
	}
}

// compile parses one template and tries it on the sample data; nil, nil
// is an empty file (the message turned off).
func compile(ch, name string, src []byte, portal string) (*template.Template, error) {
	if len(bytes.TrimSpace(src)) == 0 {
		return nil, nil
	}
	if !utf8.Valid(src) {
		return nil, fmt.Errorf("notify: template %s is not UTF-8", name)
	}
	tpl, err := template.New(name).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("notify: template %s: %w", name, err)
	}
	full := sample()
	if portal != "" {
		full.LookupURL = LookupURL(portal, full.Code)
	}
	for _, d := range []Data{full, {}} {
		var err error
		if ch == ChannelEmail {
			_, err = renderEmail(tpl, d)
		} else {
			_, err = renderSMS(tpl, d)
		}
		if err != nil {
			return nil, fmt.Errorf("notify: template %s: %w", name, err)
		}
	}
	return tpl, nil
}

// unknownFiles names the files of dir's channel folders that are no
// message type's template.
func unknownFiles(dir string) []error {
	var errs []error
	for _, ch := range []string{ChannelEmail, ChannelSMS} {
		entries, err := os.ReadDir(filepath.Join(dir, ch))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("notify: templates folder %s: %w", filepath.Join(dir, ch), err))
			continue
		}
		for _, e := range entries {
			typ, ok := strings.CutSuffix(e.Name(), ".txt")
			if e.IsDir() || !ok || !isType(typ) {
				errs = append(errs, fmt.Errorf("notify: template %s is not a known message type's (%s)",
					filepath.Join(dir, ch, e.Name()), strings.Join(Types(), ", ")))
			}
		}
	}
	return errs
}

func isType(typ string) bool {
	for _, t := range Types() {
		if t == typ {
			return true
		}
	}
	return false
}

// Email renders the e-mail of message type typ. ok is false when there is
// no such message (an unknown type, or one the province turned off).
func (t *Templates) Email(typ string, d Data) (m Email, ok bool, err error) {
	tpl := t.email[typ]
	if tpl == nil {
		return Email{}, false, nil
	}
	m, err = renderEmail(tpl, d)
	return m, err == nil, err
}

// SMS renders the SMS text of message type typ, unaccented and at most
// MaxSMSLength characters. ok is false when there is no such message.
func (t *Templates) SMS(typ string, d Data) (text string, ok bool, err error) {
	tpl := t.sms[typ]
	if tpl == nil {
		return "", false, nil
	}
	text, err = renderSMS(tpl, d)
	return text, err == nil, err
}

func execute(tpl *template.Template, d Data) (string, error) {
	var b strings.Builder
	if err := tpl.Execute(&b, d); err != nil {
		return "", err
	}
	return b.String(), nil
}

func renderEmail(tpl *template.Template, d Data) (Email, error) {
	out, err := execute(tpl, d)
	if err != nil {
		return Email{}, err
	}
	out = strings.ReplaceAll(out, "\r\n", "\n")
	first, rest, _ := strings.Cut(out, "\n")
	subject, ok := strings.CutPrefix(first, subjectPrefix)
	if !ok {
		return Email{}, errors.New(`the first line must be "Subject: …"`)
	}
	subject = strings.TrimSpace(subject)
	if subject == "" {
		return Email{}, errors.New("the subject is empty")
	}
	body, ok := strings.CutPrefix(rest, "\n")
	if !ok {
		return Email{}, errors.New("the subject line must be followed by a blank line")
	}
	return Email{Subject: subject, Body: strings.TrimSpace(body) + "\n"}, nil
}

func renderSMS(tpl *template.Template, d Data) (string, error) {
	out, err := execute(tpl, d)
	if err != nil {
		return "", err
	}
	// The data is accented Vietnamese (names of procedures and agencies,
	// "ngày" in times) even where the template is not, so the whole text
	// is unaccented here, after execution.
	text := Unaccent(strings.TrimSpace(out))
	if n := utf8.RuneCountInString(text); n > MaxSMSLength {
		return "", fmt.Errorf("the SMS is %d characters, more than %d", n, MaxSMSLength)
	}
	return text, nil
}

// On reports whether the message of type typ exists on channel (ChannelEmail
// or ChannelSMS): typ is a message type and the province did not turn that
// template off with an empty file.
func (t *Templates) On(channel, typ string) bool {
	switch channel {
	case ChannelEmail:
		return t.email[typ] != nil
	case ChannelSMS:
		return t.sms[typ] != nil
	}
	return false
}
