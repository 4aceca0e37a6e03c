package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"testing"
	"time"
)

// TestQuickHandler checks that hand-formatted records read the same as
// slog's own handlers would write them.
func TestQuickHandler(t *testing.T) {
	t.Parallel()
	when := time.Date(2026, 11, 25, 19, 5, 54, 996_157_000, time.UTC)
	record := func() slog.Record {
		r := slog.NewRecord(when, slog.LevelInfo, "request", 0)
		r.AddAttrs(slog.String("method", "GET"), slog.String("path", `/a b="c"`), slog.String("empty", ""),
			slog.Int("status", 404), slog.Duration("duration", 1500*time.Microsecond), slog.String("ua", "naïve\x01"))
		return r
	}
	for _, isJSON := range []bool{false, true} {
		var quick, std bytes.Buffer
		if err := NewLogHandler(&quick, isJSON, nil).Handle(context.Background(), record()); err != nil {
			t.Fatal(err)
		}
		var h slog.Handler = slog.NewTextHandler(&std, nil)
		if isJSON {
			h = slog.NewJSONHandler(&std, nil)
		}
		h.Handle(context.Background(), record())
		if !isJSON {
			if quick.String() != std.String() {
				t.Errorf("text:\n got %s\nwant %s", quick.String(), std.String())
			}
			continue
		}
		var got, want map[string]any
		if err := json.Unmarshal(quick.Bytes(), &got); err != nil {
			t.Fatalf("quick JSON does not parse: %v\n%s", err, quick.String())
		}
		json.Unmarshal(std.Bytes(), &want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("json:\n got %v\nwant %v", got, want)
		}
	}
	// A record with a caller or another kind of value goes to slog.
	var out bytes.Buffer
	slog.New(NewLogHandler(&out, false, nil)).Info("hello", "n", 1.5, "ok", true)
	if got := out.String(); !bytes.Contains(out.Bytes(), []byte("msg=hello n=1.5 ok=true")) {
		t.Errorf("delegated record: %s", got)
	}
}

// TestLogAccess checks that the access line written without a record reads
// the same as slog's handlers write the record it stands for.
func TestLogAccess(t *testing.T) {
	t.Parallel()
	a := access{start: time.Date(2026, 12, 6, 15, 4, 5, 7_000_000, time.UTC), method: "GET", path: "/a b",
		route: "/{name}", status: 418, bytes: 12, elapsed: 1234 * time.Microsecond, remote: "[::1]:5000"}
	for _, isJSON := range []bool{false, true} {
		var quick, std bytes.Buffer
		if err := NewLogHandler(&quick, isJSON, nil).(*quickHandler).logAccess(&a); err != nil {
			t.Fatal(err)
		}
		var h slog.Handler = slog.NewTextHandler(&std, nil)
		if isJSON {
			h = slog.NewJSONHandler(&std, nil)
		}
		h.Handle(context.Background(), a.record())
		if quick.String() != std.String() {
			t.Errorf("json %v:\n got %s\nwant %s", isJSON, quick.String(), std.String())
		}
	}
}

// TestAppendMillis compares the cached formatting with time's own over
// fractions, seconds and zones, in an order that reuses and replaces the
// cached second.
func TestAppendMillis(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("", -(3*3600 + 30*60)), time.FixedZone("", 5*3600+45*60)}
	base := time.Date(2026, 3, 29, 0, 59, 59, 0, time.UTC)
	for _, loc := range zones {
		for _, d := range []time.Duration{0, 999_999, time.Millisecond, 512 * time.Millisecond, 999_999_999, time.Second, time.Second + 1} {
			tm := base.Add(d).In(loc)
			want := tm.Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z07:00")
			if got := string(appendMillis([]byte("x"), tm)); got != "x"+want {
				t.Errorf("%v: got %s, want x%s", tm, got, want)
			}
		}
	}
}

// TestAppendDuration compares with Duration.String across units, their
// edges, fractions and signs.
func TestAppendDuration(t *testing.T) {
	t.Parallel()
	ds := []time.Duration{0, 1, 999, 1000, 1001, 1500, 999_999, time.Millisecond, 1_234_567, 999_999_999,
		time.Second, time.Second + 1, 61 * time.Second, time.Hour, time.Hour + 500*time.Millisecond,
		25*time.Hour + 3*time.Minute + 4*time.Second + 5, 1<<63 - 1, -1 << 63, -1, -1500, -time.Hour}
	for i := range 2000 {
		ds = append(ds, time.Duration(uint64(i)*0x9e3779b97f4a7c15>>uint(i%60)))
	}
	for _, d := range ds {
		for _, x := range []time.Duration{d, -d} {
			if got := string(appendDuration([]byte("x"), x)); got != "x"+x.String() {
				t.Errorf("%d: got %s, want x%s", int64(x), got, x.String())
			}
		}
	}
}
