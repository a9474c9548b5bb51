//go:build !motcua_noevents

package repository

// recordEvents is true in every build but the event benchmark's floor
// (events_off.go): the stores record an event and its dispatch job with
// every change that is one (ADR 0007).
const recordEvents = true
