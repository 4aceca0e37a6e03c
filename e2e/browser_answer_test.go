package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// testAnswerFirst opens code pages on a 390×844 phone and checks that
// the "In short" box, with the first fixes, ends within the first
// screen; it logs where, for the closing note. Every page that has the
// box is checked, since a long lead sentence pushes it down.
func testAnswerFirst(t *testing.T, ctx context.Context, base string, codes []int) {
	if err := chromedp.Do(ctx, view(phone, false)); err != nil {
		t.Fatal(err)
	}
	type box struct {
		Top    float64 `json:"top"`
		Bottom float64 `json:"bottom"`
		Found  bool    `json:"found"`
	}
	checked := 0
	for _, code := range codes {
		if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/%d", base, code))); err != nil {
			t.Fatal(err)
		}
		b, err := chromedp.Run(ctx, chromedp.Evaluate[box](`(() => {
			const el = document.getElementById("in-short");
			if (!el) return {found: false};
			const r = el.getBoundingClientRect();
			return {found: true, top: r.top + window.scrollY, bottom: r.bottom + window.scrollY};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if !b.Found {
			continue
		}
		checked++
		switch code {
		case 404, 409, 429, 502:
			t.Logf("%d on a %dx%d phone: In short from %.0f px to %.0f px", code, phone.width, phone.height, b.Top, b.Bottom)
		}
		if b.Bottom > float64(phone.height) {
			t.Errorf("%d: the In short box ends at %.0f px, below the first screen of a %d px phone", code, b.Bottom, phone.height)
		}
	}
	if checked == 0 {
		t.Errorf("no code page among %d has an In short box", len(codes))
	}
}
