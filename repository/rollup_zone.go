package repository

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/worktime"
)

// rollupsZoneKey is the settings key naming the zone the rollups are
// bucketed in; absent, the rollups are not built yet (a database that had
// dossiers before they existed) and reports scan.
const rollupsZoneKey = "rollups_zone"

// fixedZonePrefix marks a recorded zone that time.LoadLocation cannot find
// by name: "fixed:<offset seconds>:<name>".
const fixedZonePrefix = "fixed:"

// zoneName is how the rollups' zone is recorded in settings: its name when
// it is the default zone or time.LoadLocation finds it by name, else its
// offset and name, so that any process can read it back (zoneByName)
// without a process-wide registry.
func zoneName(loc *time.Location) string {
	name := loc.String()
	if name == worktime.DefaultLocation().String() {
		return name
	}
	if _, err := time.LoadLocation(name); err == nil {
		return name
	}
	_, off := time.Date(2000, 1, 1, 0, 0, 0, 0, loc).Zone()
	return fixedZonePrefix + strconv.Itoa(off) + ":" + name
}

// zoneByName returns the location a zoneName names.
func zoneByName(name string) (*time.Location, error) {
	if name == worktime.DefaultLocation().String() {
		return worktime.DefaultLocation(), nil
	}
	if rest, ok := strings.CutPrefix(name, fixedZonePrefix); ok {
		off, zone, found := strings.Cut(rest, ":")
		secs, err := strconv.Atoi(off)
		if !found || err != nil {
			return nil, fmt.Errorf("rollups zone %q: not a recorded fixed zone", name)
		}
		return time.FixedZone(zone, secs), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("rollups zone %q: %w", name, err)
	}
	return loc, nil
}

// readRollupsZoneName returns the recorded zone name, ok false when the
// rollups are not built.
func readRollupsZoneName(ctx context.Context, db *gorm.DB) (string, bool, error) {
	var rows []settingRow
	if err := db.WithContext(ctx).Where("key = ?", rollupsZoneKey).Limit(1).Find(&rows).Error; err != nil {
		return "", false, translate(err, "cấu hình")
	}
	if len(rows) == 0 {
		return "", false, nil
	}
	return rows[0].Value, true, nil
}

// readRollupsZone returns the zone the rollups are built in, ok false when
// they are not built.
func readRollupsZone(ctx context.Context, db *gorm.DB) (loc *time.Location, ok bool, err error) {
	name, ok, err := readRollupsZoneName(ctx, db)
	if err != nil || !ok {
		return nil, false, err
	}
	loc, err = zoneByName(name)
	if err != nil {
		return nil, false, err
	}
	return loc, true, nil
}

// rollupZone caches, for a store, the zone its rollup writes bucket days
// in. Until the rollups are built (BackfillRollups) writes use the default
// zone; the build recomputes everything anyway.
type rollupZone struct {
	mu  sync.Mutex
	loc *time.Location
}

func (z *rollupZone) get(ctx context.Context, db *gorm.DB) (*time.Location, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.loc != nil {
		return z.loc, nil
	}
	loc, ok, err := readRollupsZone(ctx, db)
	if err != nil {
		return nil, err
	}
	if !ok {
		return worktime.DefaultLocation(), nil
	}
	z.loc = loc
	return loc, nil
}

// rollupsLocation is the zone rollup writes in tx bucket days in (the
// default zone until the rollups are built).
func rollupsLocation(ctx context.Context, tx *gorm.DB) (*time.Location, error) {
	return (&rollupZone{}).get(ctx, tx)
}
