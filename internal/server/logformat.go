package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// quickHandler writes simple records (every attribute a string, an int or
// a duration, as in the access log) itself, in the same shape as slog's
// text or JSON handler, and hands every other record to that handler. The
// access log is written once per request, and slog's general handlers
// cost more than everything else teapot does for a page. Records with a
// caller (PC) go to slog's handler: only hand-built records are simple.
//
// Each record is one Write of one whole line, so w must take concurrent
// writes whole, as LogWriter does.
type quickHandler struct {
	next slog.Handler
	w    io.Writer
	json bool
	pool *sync.Pool
}

func NewLogHandler(w io.Writer, json bool, opts *slog.HandlerOptions) slog.Handler {
	var next slog.Handler = slog.NewTextHandler(w, opts)
	if json {
		next = slog.NewJSONHandler(w, opts)
	}
	return &quickHandler{next: next, w: w, json: json,
		pool: &sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}}
}

func (h *quickHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

// WithAttrs and WithGroup give up the fast path: only plain loggers use it.
func (h *quickHandler) WithAttrs(as []slog.Attr) slog.Handler { return h.next.WithAttrs(as) }
func (h *quickHandler) WithGroup(name string) slog.Handler    { return h.next.WithGroup(name) }

func (h *quickHandler) Handle(ctx context.Context, r slog.Record) error {
	simple := r.PC == 0
	r.Attrs(func(a slog.Attr) bool {
		switch a.Value.Kind() {
		case slog.KindString, slog.KindInt64, slog.KindDuration:
			return true
		}
		simple = false
		return false
	})
	if !simple {
		return h.next.Handle(ctx, r)
	}
	l := h.begin(r.Time, r.Level, r.Message)
	r.Attrs(func(a slog.Attr) bool {
		switch a.Value.Kind() {
		case slog.KindString:
			l.str(a.Key, a.Value.String())
		case slog.KindInt64:
			l.int(a.Key, a.Value.Int64())
		case slog.KindDuration:
			l.dur(a.Key, a.Value.Duration())
		}
		return true
	})
	return h.end(l)
}

// access is one request as the access log records it.
type access struct {
	start         time.Time
	method, path  string
	route         string
	status, bytes int
	elapsed       time.Duration
	remote        string
}

// record is a as a log record. A record built by hand skips the caller
// lookup that Logger.LogAttrs makes; the access log needs no source.
func (a *access) record() slog.Record {
	r := slog.NewRecord(a.start, slog.LevelInfo, "request", 0)
	r.AddAttrs(slog.String("method", a.method), slog.String("path", a.path), slog.String("route", a.route),
		slog.Int("status", a.status), slog.Int("bytes", a.bytes))
	r.AddAttrs(slog.Duration("duration", a.elapsed), slog.String("remote", a.remote))
	return r
}

// logAccess writes a as its record would be written, attribute for
// attribute, without building the record: one access line per request is the
// most frequent log record by far.
func (h *quickHandler) logAccess(a *access) error {
	l := h.begin(a.start, slog.LevelInfo, "request")
	// The keys are plain words, written as they are (plainKey).
	l.plainKey("method")
	l.value(a.method)
	l.plainKey("path")
	l.value(a.path)
	l.plainKey("route")
	l.value(a.route)
	l.plainKey("status")
	l.b = strconv.AppendInt(l.b, int64(a.status), 10)
	l.plainKey("bytes")
	l.b = strconv.AppendInt(l.b, int64(a.bytes), 10)
	l.dur("duration", a.elapsed)
	l.plainKey("remote")
	l.value(a.remote)
	return h.end(l)
}

// line is a log line being formatted, as slog's text or JSON handler
// would write it.
type line struct {
	b    []byte
	json bool
	buf  *[]byte // the pooled buffer b came from
}

func (h *quickHandler) begin(t time.Time, level slog.Level, msg string) line {
	bp := h.pool.Get().(*[]byte)
	l := line{b: (*bp)[:0], json: h.json, buf: bp}
	if l.json {
		l.b = append(l.b, `{"time":"`...)
		l.b = t.AppendFormat(l.b, time.RFC3339Nano)
		l.b = append(l.b, `","level":`...)
		l.b = appendJSONString(l.b, level.String())
		l.b = append(l.b, `,"msg":`...)
		l.b = appendJSONString(l.b, msg)
		return l
	}
	l.b = append(l.b, "time="...)
	l.b = appendMillis(l.b, t)
	l.b = append(l.b, " level="...)
	l.b = append(l.b, level.String()...)
	l.b = append(l.b, " msg="...)
	l.b = appendTextString(l.b, msg)
	return l
}

func (l *line) key(k string) {
	if l.json {
		l.b = append(l.b, ',')
		l.b = appendJSONString(l.b, k)
		l.b = append(l.b, ':')
		return
	}
	l.b = append(l.b, ' ')
	l.b = appendTextString(l.b, k)
	l.b = append(l.b, '=')
}

// plainKey is key for a key of letters only, which neither format
// quotes or escapes.
func (l *line) plainKey(k string) {
	if l.json {
		l.b = append(l.b, ',', '"')
		l.b = append(l.b, k...)
		l.b = append(l.b, '"', ':')
		return
	}
	l.b = append(l.b, ' ')
	l.b = append(l.b, k...)
	l.b = append(l.b, '=')
}

func (l *line) str(k, v string) {
	l.key(k)
	l.value(v)
}

func (l *line) value(v string) {
	if l.json {
		l.b = appendJSONString(l.b, v)
	} else {
		l.b = appendTextString(l.b, v)
	}
}

func (l *line) int(k string, v int64) {
	l.key(k)
	l.b = strconv.AppendInt(l.b, v, 10)
}

// dur is a duration as slog writes it: nanoseconds in JSON, Go's
// notation in text.
func (l *line) dur(k string, v time.Duration) {
	if l.json {
		l.int(k, int64(v))
		return
	}
	l.key(k)
	l.b = appendDuration(l.b, v)
}

// appendDuration writes d as d.String() does (1.5ms, 2m0.25s, -3ns),
// without making the string.
func appendDuration(b []byte, d time.Duration) []byte {
	u := uint64(d)
	if d < 0 {
		b = append(b, '-')
		u = -u // two's complement: right for the most negative too
	}
	switch {
	case u == 0:
		return append(b, "0s"...)
	case u < uint64(time.Microsecond):
		b = strconv.AppendUint(b, u, 10)
		return append(b, "ns"...)
	case u < uint64(time.Millisecond):
		return appendUnits(b, u, uint64(time.Microsecond), "µs")
	case u < uint64(time.Second):
		return appendUnits(b, u, uint64(time.Millisecond), "ms")
	}
	if h := u / uint64(time.Hour); h > 0 {
		b = strconv.AppendUint(b, h, 10)
		b = append(b, 'h')
	}
	if u >= uint64(time.Minute) {
		b = strconv.AppendUint(b, u/uint64(time.Minute)%60, 10)
		b = append(b, 'm')
	}
	return appendUnits(b, u%uint64(time.Minute), uint64(time.Second), "s")
}

// appendUnits writes v as a number of units of the given size, with as
// many decimals as it needs, and then the unit's name.
func appendUnits(b []byte, v, size uint64, name string) []byte {
	b = strconv.AppendUint(b, v/size, 10)
	if f := v % size; f != 0 {
		b = append(b, '.')
		for size /= 10; f != 0; size /= 10 {
			b = append(b, byte('0'+f/size))
			f %= size
		}
	}
	return append(b, name...)
}

// end writes the line in one Write and gives its buffer back.
func (h *quickHandler) end(l line) error {
	if l.json {
		l.b = append(l.b, "}\n"...)
	} else {
		l.b = append(l.b, '\n')
	}
	_, err := h.w.Write(l.b)
	*l.buf = l.b
	h.pool.Put(l.buf)
	return err
}

// appendMillis formats t as slog's text handler does: RFC 3339 with
// exactly three digits of fraction. The parts before and after the
// fraction are formatted once a second and kept.
func appendMillis(b []byte, t time.Time) []byte {
	c := lastSecond.Load()
	if c == nil || c.unix != t.Unix() || c.loc != t.Location() {
		c = &secondText{unix: t.Unix(), loc: t.Location(),
			date: t.AppendFormat(nil, "2006-01-02T15:04:05"), zone: t.AppendFormat(nil, "Z07:00")}
		lastSecond.Store(c)
	}
	ms := t.Nanosecond() / 1e6
	b = append(b, c.date...)
	b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	return append(b, c.zone...)
}

// secondText is one second's time as text, without its fraction.
type secondText struct {
	unix       int64
	loc        *time.Location
	date, zone []byte
}

var lastSecond atomic.Pointer[secondText]

// appendTextString quotes s when slog's text handler would: when it is
// empty or has spaces, '=', quotes, control or non-printing characters.
func appendTextString(b []byte, s string) []byte {
	if s == "" {
		return append(b, `""`...)
	}
	for i := 0; i < len(s); i++ {
		if quoted[s[i]] {
			return strconv.AppendQuote(b, s)
		}
	}
	return append(b, s...)
}

// quoted marks the bytes that make slog's text handler quote a value.
var quoted = func() (t [256]bool) {
	for c := range t {
		t[c] = c <= ' ' || c == '=' || c == '"' || c == 0x7f || c >= utf8.RuneSelf
	}
	return t
}()

// appendJSONString appends s as a JSON string; only the rare string with a
// character that needs escaping goes through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
