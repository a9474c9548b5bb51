package config

import (
	"fmt"

	"github.com/motcua/motcua/domain/stats"
)

// loadServiceIndex reads MOTCUA_SERVICE_INDEX_POINTS: overrides of the
// service index's maximum points as id=points pairs separated by commas
// ("3.3=6,4.2=8"), applied to the defaults of docs/domain.md. A malformed
// pair, an id that is not a scored indicator, points outside 0..100, or a
// group whose indicators' points then exceed the group's fixed total refuse
// to start.
func loadServiceIndex(getenv func(string) string, errs *[]error) stats.IndexPoints {
	overrides, err := stats.ParseIndexPoints(getenv("MOTCUA_SERVICE_INDEX_POINTS"))
	if err != nil {
		*errs = append(*errs, fmt.Errorf("MOTCUA_SERVICE_INDEX_POINTS: %w", err))
		return stats.DefaultIndexPoints()
	}
	p, err := stats.IndexPointsWith(overrides)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("MOTCUA_SERVICE_INDEX_POINTS: %w", err))
		return stats.DefaultIndexPoints()
	}
	return p
}
