// Package worktime is the working-time clock of the one-stop-shop (một cửa)
// backend: it knows which days are working days, which hours of a day are
// working sessions, and computes the due time of an application from its
// receipt time and its procedure's processing time.
//
// The rules, from docs/domain.md:
//
//   - Working sessions default to 07:00–11:30 and 13:30–17:00 and are
//     configurable per year; one working day is 8 working hours.
//   - Saturdays, Sundays and the holidays of the year's calendar are not
//     working days; a Saturday or Sunday listed as a working weekend (a
//     make-up day) is.
//   - The clock starts at the receipt time, moved forward to the next working
//     instant when the application is received outside a session.
//   - working_days N and working_hours H add N×8h (or H hours) of working time
//     session by session; the due time is the instant where the count runs
//     out. A count that runs out exactly at a session's end is that end
//     (17:00, not the next day's 07:00; 11:30, not 13:30).
//   - days N (calendar days) is due at the end of the last session of the
//     receipt date + N, or of the next working day when that date is not a
//     working day.
//
// All computations happen in the calendar's *time.Location (by default
// Asia/Ho_Chi_Minh, which has no daylight saving time); inputs may be in any
// zone and outputs are in the calendar's location.
//
// The package uses the standard library only. A Calendar is immutable once
// built and safe for concurrent use.
package worktime
