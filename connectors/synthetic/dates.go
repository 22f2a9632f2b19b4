package synthetic

import (
	"strconv"
	"time"
)

// Days are counted from Options.Start (day 0). dateCache holds every day's text in UK
// order (and US order, for the refused file) from well before the start to the last day
// with data, so the hot loop appends ten ready bytes instead of formatting a time.Time.
type dateCache struct {
	start time.Time
	lo    int // first cached day (negative: before the start)
	hi    int // last cached day
	uk    []byte
	us    []byte
	wday  []uint8 // time.Weekday of each cached day
}

// cacheLead covers dates before the start: faults dated before their referral, and
// nothing else.
const cacheLead = 400

func newDateCache(start time.Time, lastDay int) *dateCache {
	c := &dateCache{start: start, lo: -cacheLead, hi: lastDay}
	n := c.hi - c.lo + 1
	c.uk = make([]byte, 0, 10*n)
	c.us = make([]byte, 0, 10*n)
	c.wday = make([]uint8, 0, n)
	for d := c.lo; d <= c.hi; d++ {
		t := start.AddDate(0, 0, d)
		c.uk = appendDMY(c.uk, t.Day(), int(t.Month()), t.Year())
		c.us = appendDMY(c.us, int(t.Month()), t.Day(), t.Year())
		c.wday = append(c.wday, uint8(t.Weekday()))
	}
	return c
}

// appendDMY writes a/b/yyyy with two-digit a and b.
func appendDMY(b []byte, a, m, y int) []byte {
	b = append(b, byte('0'+a/10), byte('0'+a%10), '/', byte('0'+m/10), byte('0'+m%10), '/')
	return strconv.AppendInt(b, int64(y), 10)
}

// appendUK appends day d as dd/mm/yyyy.
func (c *dateCache) appendUK(b []byte, d int) []byte {
	if d >= c.lo && d <= c.hi {
		i := 10 * (d - c.lo)
		return append(b, c.uk[i:i+10]...)
	}
	t := c.start.AddDate(0, 0, d)
	return appendDMY(b, t.Day(), int(t.Month()), t.Year())
}

// appendUS appends day d as mm/dd/yyyy.
func (c *dateCache) appendUS(b []byte, d int) []byte {
	if d >= c.lo && d <= c.hi {
		i := 10 * (d - c.lo)
		return append(b, c.us[i:i+10]...)
	}
	t := c.start.AddDate(0, 0, d)
	return appendDMY(b, int(t.Month()), t.Day(), t.Year())
}

func (c *dateCache) weekday(d int) time.Weekday {
	if d >= c.lo && d <= c.hi {
		return time.Weekday(c.wday[d-c.lo])
	}
	return c.start.AddDate(0, 0, d).Weekday()
}

// dayOfMonth returns the calendar day of day d.
func (c *dateCache) dayOfMonth(d int) int {
	if d >= c.lo && d <= c.hi {
		i := 10 * (d - c.lo)
		return int(c.uk[i]-'0')*10 + int(c.uk[i+1]-'0')
	}
	return c.start.AddDate(0, 0, d).Day()
}

// weekdayOnOrAfter moves a Saturday or Sunday to the next Monday: link workers work
// weekdays.
func (c *dateCache) weekdayOnOrAfter(d int) int {
	switch c.weekday(d) {
	case time.Saturday:
		return d + 2
	case time.Sunday:
		return d + 1
	}
	return d
}

// notSunday moves a Sunday to Monday: VCS groups meet on Saturdays too.
func (c *dateCache) notSunday(d int) int {
	if c.weekday(d) == time.Sunday {
		return d + 1
	}
	return d
}

func (c *dateCache) iso(d int) string {
	return c.start.AddDate(0, 0, d).Format("2006-01-02")
}
