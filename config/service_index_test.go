package config_test

import (
	"strings"
	"testing"

	"github.com/motcua/motcua/config"
)

func TestServiceIndexPointsDefaults(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	p := c.ServiceIndexPoints
	sum := 0
	for _, v := range p {
		sum += v
	}
	if p["2.1"] != 20 || p["3.3"] != 6 || p["4.2"] != 8 || p["5.4"] != 6 || sum != 100 {
		t.Fatalf("defaults %v (sum %d)", p, sum)
	}
}

func TestServiceIndexPointsOverrides(t *testing.T) {
	c, err := config.Load(env(map[string]string{"MOTCUA_SERVICE_INDEX_POINTS": " 3.3=5 , 4.2=7,1.4=0"}))
	if err != nil {
		t.Fatal(err)
	}
	if p := c.ServiceIndexPoints; p["3.3"] != 5 || p["4.2"] != 7 || p["1.4"] != 0 || p["2.1"] != 20 {
		t.Fatalf("overrides %v", p)
	}
}

func TestServiceIndexPointsRefused(t *testing.T) {
	for in, want := range map[string]string{
		"9.9=1":       "not a scored indicator",
		"2.2=2":       "not a scored indicator",
		"1.1=4,1.4=7": "group 1",
		"2.1=21":      "group 2",
		"3.3":         "not id=points",
		"3.3=six":     "not id=points",
		"3.3=1,3.3=2": "given twice",
		"3.3=-2":      "0 to 100",
	} {
		_, err := config.Load(env(map[string]string{"MOTCUA_SERVICE_INDEX_POINTS": in}))
		if err == nil || !strings.Contains(err.Error(), "MOTCUA_SERVICE_INDEX_POINTS") || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one naming the variable and %q", in, err, want)
		}
	}
}
