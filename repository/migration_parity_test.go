package repository

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The two dialect folders must build the same schema: the same tables with
// the same columns in the same order, the same NOT NULL columns, the same
// indexes on the same tables, and triggers on the same tables. Types,
// defaults, the triggers' names and the bodies of functions and triggers
// differ by dialect and are not compared. Each migration is compared with its twin, so a column added to
// one dialect in a later file than the other is caught too.
func TestMigrationsBuildTheSameSchema(t *testing.T) {
	pg, err := migrations("postgres")
	if err != nil {
		t.Fatal(err)
	}
	lite, err := migrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	if len(pg) != len(lite) {
		t.Fatalf("%d postgres migrations, %d sqlite", len(pg), len(lite))
	}
	for i := range pg {
		p, s := schemaOf(pg[i].SQL), schemaOf(lite[i].SQL)
		if len(p.tables) == 0 && len(p.indexes) == 0 && len(p.alters) == 0 && len(p.triggers) == 0 {
			continue // a data-only or dialect-only migration
		}
		if !reflect.DeepEqual(p, s) {
			t.Errorf("%s: the dialects disagree\npostgres %s\nsqlite   %s", pg[i].Name, p, s)
		}
	}
}

func TestSchemaOfReadsWhatMatters(t *testing.T) {
	a := schemaOf(`-- comment
CREATE TABLE t (
    id   BIGSERIAL PRIMARY KEY,
    name VARCHAR(10) NOT NULL, -- trailing
    at   TIMESTAMPTZ,
    n    NUMERIC(10, 2) NOT NULL DEFAULT 0,
    UNIQUE (name, at)
);
CREATE UNIQUE INDEX t_name_idx ON t(name) WHERE at IS NULL;
ALTER TABLE t ADD COLUMN extra TEXT NOT NULL DEFAULT '';
CREATE TRIGGER t_guard BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f();`)
	b := schemaOf(`CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, at TIMESTAMP, n REAL NOT NULL DEFAULT 0, UNIQUE (name, at));
CREATE UNIQUE INDEX t_name_idx ON t (name);
ALTER TABLE t ADD COLUMN extra TEXT NOT NULL DEFAULT '';
CREATE TRIGGER t_guard BEFORE UPDATE ON t BEGIN SELECT RAISE(ABORT, 'no'); END;`)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("same schema read differently:\n%s\n%s", a, b)
	}
	if want := "t(id!,name!,at,n!)"; a.tables[0] != want {
		t.Errorf("table = %q, want %q", a.tables[0], want)
	}
	c := schemaOf(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, at TIMESTAMP, n REAL NOT NULL DEFAULT 0);`)
	if reflect.DeepEqual(a.tables, c.tables) {
		t.Error("a column that lost NOT NULL must show")
	}
}

type schema struct {
	tables, indexes, alters []string
	triggers                []string // the tables that carry a trigger
}

func (s schema) String() string {
	return fmt.Sprintf("tables %v indexes %v alters %v triggers %v", s.tables, s.indexes, s.alters, s.triggers)
}

var (
	sqlComment   = regexp.MustCompile(`--[^\n]*`)
	createTable  = regexp.MustCompile(`(?is)CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s*\(`)
	createIndex  = regexp.MustCompile(`(?is)CREATE\s+(UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s+ON\s+(\w+)`)
	alterAdd     = regexp.MustCompile(`(?is)ALTER\s+TABLE\s+(\w+)\s+ADD\s+(?:COLUMN\s+)?(\w+)([^;]*)`)
	createTrig   = regexp.MustCompile(`(?is)CREATE\s+(?:OR\s+REPLACE\s+)?TRIGGER\s+\w+[^;]*?\bON\s+(\w+)`)
	notNull      = regexp.MustCompile(`(?i)\bNOT\s+NULL\b|\bPRIMARY\s+KEY\b`)
	tableElement = regexp.MustCompile(`(?i)^(PRIMARY|UNIQUE|FOREIGN|CHECK|CONSTRAINT|EXCLUDE)\b`)
)

// schemaOf reads the schema-shaping statements of one migration file.
func schemaOf(sql string) schema {
	sql = sqlComment.ReplaceAllString(sql, "")
	var s schema
	for _, m := range createTable.FindAllStringSubmatchIndex(sql, -1) {
		name := strings.ToLower(sql[m[2]:m[3]])
		body := balanced(sql[m[1]:])
		var cols []string
		for _, el := range splitTop(body) {
			el = strings.TrimSpace(el)
			if el == "" || tableElement.MatchString(el) {
				continue
			}
			col := strings.ToLower(strings.Fields(el)[0])
			if notNull.MatchString(el) {
				col += "!"
			}
			cols = append(cols, col)
		}
		s.tables = append(s.tables, name+"("+strings.Join(cols, ",")+")")
	}
	for _, m := range createIndex.FindAllStringSubmatch(sql, -1) {
		u := ""
		if strings.TrimSpace(m[1]) != "" {
			u = "unique "
		}
		s.indexes = append(s.indexes, u+strings.ToLower(m[2])+" on "+strings.ToLower(m[3]))
	}
	for _, m := range alterAdd.FindAllStringSubmatch(sql, -1) {
		col := strings.ToLower(m[1] + "." + m[2])
		if notNull.MatchString(m[3]) {
			col += "!"
		}
		s.alters = append(s.alters, col)
	}
	guarded := map[string]bool{}
	for _, m := range createTrig.FindAllStringSubmatch(sql, -1) {
		if t := strings.ToLower(m[1]); !guarded[t] {
			guarded[t] = true
			s.triggers = append(s.triggers, t)
		}
	}
	sort.Strings(s.indexes)
	sort.Strings(s.alters)
	sort.Strings(s.triggers)
	return s
}

// balanced returns the text up to the parenthesis that closes an opening one
// just before it.
func balanced(s string) string {
	depth := 1
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return s[:i]
			}
		}
	}
	return s
}

// splitTop splits on commas outside parentheses.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}
