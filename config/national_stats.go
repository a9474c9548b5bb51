package config

import "errors"

// maxPublicStatsCacheSeconds bounds MOTCUA_PUBLIC_STATS_CACHE_SECONDS: a
// day, as for the public pages' figures (MOTCUA_PUBLIC_CACHE_SECONDS).
const maxPublicStatsCacheSeconds = 86400

// loadPublicStats reads MOTCUA_PUBLIC_STATS_CACHE_SECONDS: how long
// GET /api/v1/public/stats keeps a month's answer (default 3600; 0 computes
// it on every request). Negative or over a day refuses to start.
func loadPublicStats(getenv func(string) string, errs *[]error) int {
	n := intVar(getenv, "MOTCUA_PUBLIC_STATS_CACHE_SECONDS", 3600, errs)
	if n < 0 || n > maxPublicStatsCacheSeconds {
		*errs = append(*errs, errors.New("MOTCUA_PUBLIC_STATS_CACHE_SECONDS must be 0 (no cache) to 86400"))
	}
	return n
}
