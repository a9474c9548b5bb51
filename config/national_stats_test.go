package config_test

import (
	"strings"
	"testing"

	"github.com/motcua/motcua/config"
)

// TestPublicStatsCacheSeconds: 3600 by default, 0 allowed (no cache), a
// negative number, more than a day or a word refuses to start, naming the
// variable.
func TestPublicStatsCacheSeconds(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil || c.PublicStatsCacheSeconds != 3600 {
		t.Fatalf("default: %d %v", c.PublicStatsCacheSeconds, err)
	}
	for v, want := range map[string]int{"0": 0, "60": 60, " 86400 ": 86400} {
		c, err := config.Load(env(map[string]string{"MOTCUA_PUBLIC_STATS_CACHE_SECONDS": v}))
		if err != nil || c.PublicStatsCacheSeconds != want {
			t.Errorf("%q: %d %v, want %d", v, c.PublicStatsCacheSeconds, err, want)
		}
	}
	for _, v := range []string{"-1", "86401", "an hour", "1.5"} {
		_, err := config.Load(env(map[string]string{"MOTCUA_PUBLIC_STATS_CACHE_SECONDS": v}))
		if err == nil || !strings.Contains(err.Error(), "MOTCUA_PUBLIC_STATS_CACHE_SECONDS") {
			t.Errorf("%q accepted or not named: %v", v, err)
		}
	}
}
