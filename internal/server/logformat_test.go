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
