package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strconv"
	"sync"
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
	bp := h.pool.Get().(*[]byte)
	b := (*bp)[:0]
	if h.json {
		b = h.appendJSON(b, r)
	} else {
		b = h.appendText(b, r)
	}
	_, err := h.w.Write(b)
	*bp = b
	h.pool.Put(bp)
	return err
}

func (h *quickHandler) appendText(b []byte, r slog.Record) []byte {
	b = append(b, "time="...)
	b = appendMillis(b, r.Time)
	b = append(b, " level="...)
	b = append(b, r.Level.String()...)
	b = append(b, " msg="...)
	b = appendTextString(b, r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b = append(b, ' ')
		b = appendTextString(b, a.Key)
		b = append(b, '=')
		switch a.Value.Kind() {
		case slog.KindString:
			b = appendTextString(b, a.Value.String())
		case slog.KindInt64:
			b = strconv.AppendInt(b, a.Value.Int64(), 10)
		case slog.KindDuration:
			b = append(b, a.Value.Duration().String()...)
		}
		return true
	})
	return append(b, '\n')
}

func (h *quickHandler) appendJSON(b []byte, r slog.Record) []byte {
	b = append(b, `{"time":"`...)
	b = r.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":`...)
	b = appendJSONString(b, r.Level.String())
	b = append(b, `,"msg":`...)
	b = appendJSONString(b, r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b = append(b, ',')
		b = appendJSONString(b, a.Key)
		b = append(b, ':')
		switch a.Value.Kind() {
		case slog.KindString:
			b = appendJSONString(b, a.Value.String())
		case slog.KindInt64:
			b = strconv.AppendInt(b, a.Value.Int64(), 10)
		case slog.KindDuration:
			b = strconv.AppendInt(b, int64(a.Value.Duration()), 10)
		}
		return true
	})
	return append(b, "}\n"...)
}

// appendMillis formats t as slog's text handler does: RFC 3339 with
// exactly three digits of fraction.
func appendMillis(b []byte, t time.Time) []byte {
	n := len(b)
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	const prefix = len("2006-01-02T15:04:05.000")
	return append(b[:n+prefix], b[n+prefix+1:]...)
}

// appendTextString quotes s when slog's text handler would: when it is
// empty or has spaces, '=', quotes, control or non-printing characters.
func appendTextString(b []byte, s string) []byte {
	if s == "" {
		return append(b, `""`...)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == '=' || c == '"' || c == 0x7f || c >= utf8.RuneSelf {
			return strconv.AppendQuote(b, s)
		}
	}
	return append(b, s...)
}

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
