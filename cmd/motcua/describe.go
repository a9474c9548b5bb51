package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/motcua/motcua/domain"
)

// describe turns a domain error into a readable command-line message.
func describe(err error) error {
	var de *domain.Error
	if !errors.As(err, &de) || de.Kind == domain.KindInternal {
		return err
	}
	var b strings.Builder
	b.WriteString(de.Message)
	keys := make([]string, 0, len(de.Fields))
	for k := range de.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %s: %s", k, de.Fields[k])
	}
	return errors.New(b.String())
}
