//go:build motcua_noevents

package repository

import "os"

// recordEvents is false only in a binary built with -tags motcua_noevents:
// the floor of cmd/motcua-eventbench, the same server minus the events
// and their dispatch jobs, to measure what recording them costs a change.
// No setting switches it; a build with the tag says so when it starts.
const recordEvents = false

func init() {
	os.Stderr.WriteString("motcua: built with -tags motcua_noevents: no events are recorded (benchmark floor only)\n")
}
