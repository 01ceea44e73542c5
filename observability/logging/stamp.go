package logging

import (
	"sync/atomic"
	"time"
)

// appendTime appends t as t.AppendFormat(b, time.RFC3339Nano) does, for a
// time fastTime accepts (year 0 to 9999), the same bytes: the date, the clock
// to the second and the zone are formatted once per second and location
// (about 850 instructions, the zone lookup and the calendar) and kept; each
// line then appends them with its fraction of a second. Lines are stamped
// with the time they are written, so consecutive ones mostly share the
// second.
func appendTime(b []byte, t time.Time) []byte {
	sec, loc := t.Unix(), t.Location()
	st := lastStamp.Load()
	if st == nil || st.sec != sec || st.loc != loc {
		st = newStamp(t, sec, loc)
		lastStamp.Store(st)
	}
	b = append(b, st.clock[:]...)
	b = appendFraction(b, t.Nanosecond())
	return append(b, st.zone...)
}

// A stamp is a second formatted in RFC 3339 in a location.
type stamp struct {
	sec   int64          // t.Unix()
	loc   *time.Location // t.Location(): the same second elsewhere has another clock and zone
	clock [19]byte       // "2006-01-02T15:04:05"
	zone  string         // "Z" or "-07:00", as time.RFC3339Nano writes it
}

// lastStamp is the second of the last line written, shared by every handler.
var lastStamp atomic.Pointer[stamp]

// newStamp formats t's second, in t's location, with time's own RFC 3339
// formatting: the whole second has no fraction, so what follows the clock is
// the zone.
func newStamp(t time.Time, sec int64, loc *time.Location) *stamp {
	var buf [64]byte
	whole := t.Add(-time.Duration(t.Nanosecond())).AppendFormat(buf[:0], time.RFC3339Nano)
	st := &stamp{sec: sec, loc: loc}
	n := copy(st.clock[:], whole)
	st.zone = string(whole[n:])
	return st
}

// appendFraction appends the fraction of a second ns as RFC3339Nano's
// ".999999999" does: nothing for a whole second, else a dot and the digits
// without trailing zeros.
func appendFraction(b []byte, ns int) []byte {
	if ns == 0 {
		return b
	}
	// Two digits a round, from a table of the pairs.
	var buf [10]byte
	buf[0] = '.'
	buf[1] = byte('0' + ns/1e8)
	ns %= 1e8
	for i := 8; i >= 2; i -= 2 {
		p := &decimalPairs[ns%100]
		buf[i], buf[i+1] = p[0], p[1]
		ns /= 100
	}
	n := len(buf)
	for buf[n-1] == '0' {
		n--
	}
	return append(b, buf[:n]...)
}

// decimalPairs holds the two decimal digits of 0 to 99.
var decimalPairs = func() (t [100][2]byte) {
	for i := range t {
		t[i] = [2]byte{byte('0' + i/10), byte('0' + i%10)}
	}
	return t
}()
