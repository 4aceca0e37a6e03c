package lab

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAPISQLite(t *testing.T)   { testAPI(t, openSQLite) }
func TestPostgresAPI(t *testing.T) { testAPI(t, openPostgres) }

// testAPI runs every status path of the API over real HTTP on a store.
func testAPI(t *testing.T, open opener) {
	base := serve(t, Options{Store: open(t), MaxArticles: 5, MaxBody: 4096})

	t.Run("create and read", func(t *testing.T) {
		c := newClient(t, base)
		r := c.do("POST", "/lab/articles", `{"slug":"hello","title":"Hello","body":"one\ntwo\n"}`)
		expect(t, "create", r, 201, "")
		loc := r.header.Get("Location")
		if !strings.HasPrefix(loc, "/lab/articles/") || r.header.Get("ETag") != `"v1"` {
			t.Fatalf("create: Location %q ETag %q", loc, r.header.Get("ETag"))
		}
		if r.header.Get("Lab-Sandbox") != c.sandbox {
			t.Fatalf("Lab-Sandbox %q, want %q", r.header.Get("Lab-Sandbox"), c.sandbox)
		}
		a := r.json(t)
		if a["state"] != "draft" || a["version"] != 1.0 || a["etag"] != `"v1"` || a["body"] != "one\ntwo\n" {
			t.Fatalf("create: %s", r.body)
		}
		if tr := a["links"].(map[string]any)["transitions"].(map[string]any); tr["publish"] != loc+"/publish" || tr["restore"] != nil {
			t.Fatalf("transitions of a draft: %v", tr)
		}
		g := c.do("GET", loc, "")
		expect(t, "get", g, 200, "")
		if g.header.Get("ETag") != `"v1"` || g.header.Get("Last-Modified") == "" || g.header.Get("Cache-Control") != "private, no-cache" {
			t.Fatalf("get headers: %v", g.header)
		}
		lm, err := http.ParseTime(g.header.Get("Last-Modified"))
		if err != nil || time.Since(lm) > time.Minute {
			t.Fatalf("Last-Modified %q", g.header.Get("Last-Modified"))
		}
		for _, h := range [][]string{{"If-None-Match", `"v1"`}, {"If-None-Match", `W/"v1"`}, {"If-None-Match", `"x", "v1"`},
			{"If-None-Match", "*"}, {"If-Modified-Since", lm.Add(time.Hour).Format(http.TimeFormat)}} {
			nm := c.do("GET", loc, "", h...)
			if nm.status != 304 || nm.body != "" || nm.header.Get("ETag") != `"v1"` {
				t.Fatalf("GET with %s: %d %q %v", h, nm.status, nm.body, nm.header)
			}
		}
		for _, h := range [][]string{{"If-None-Match", `"v2"`}, {"If-Modified-Since", lm.Add(-time.Hour).Format(http.TimeFormat)}} {
			expect(t, "GET with "+h[0], c.do("GET", loc, "", h...), 200, "")
		}
		if hd := c.do("HEAD", loc, ""); hd.status != 200 || hd.body != "" || hd.header.Get("ETag") != `"v1"` {
			t.Fatalf("HEAD: %d %q", hd.status, hd.body)
		}
		l := c.do("GET", "/lab/articles", "").json(t)
		if list := l["articles"].([]any); len(list) != 1 {
			t.Fatalf("list: %v", l)
		}
	})

	t.Run("duplicate slug", func(t *testing.T) {
		c := newClient(t, base)
		loc := c.create("same", "First", "")
		r := c.do("POST", "/lab/articles", `{"slug":"same","title":"Second","body":""}`)
		expect(t, "duplicate create", r, 409, "/guides/duplicate-key")
		if p := r.json(t); p["existing"] != loc || p["slug"] != "same" {
			t.Fatalf("duplicate: %s", r.body)
		}
		other := c.create("other", "Other", "")
		r = c.do("PUT", other, `{"slug":"same","title":"Other","body":""}`, "If-Match", `"v1"`)
		expect(t, "rename onto a taken slug", r, 409, "/guides/duplicate-key")
		expect(t, "another sandbox may use it", newClient(t, base).do("POST", "/lab/articles", `{"slug":"same","title":"Mine","body":""}`), 201, "")
	})

	t.Run("preconditions", func(t *testing.T) {
		c := newClient(t, base)
		loc := c.create("pre", "Title", "body\n")
		put := `{"slug":"pre","title":"New title","body":"body\n"}`
		r := c.do("PUT", loc, put)
		expect(t, "PUT without a precondition", r, 428, "/guides/missing-precondition")
		if p := r.json(t); p["current_etag"] != `"v1"` || p["current_version"] != 1.0 {
			t.Fatalf("428: %s", r.body)
		}
		expect(t, "PUT with an invalid If-Unmodified-Since (ignored)", c.do("PUT", loc, put, "If-Unmodified-Since", "yesterday"), 428, "/guides/missing-precondition")
		r = c.do("PUT", loc, put, "If-Match", `"v1"`)
		expect(t, "PUT with If-Match", r, 200, "")
		if r.header.Get("ETag") != `"v2"` || r.json(t)["title"] != "New title" {
			t.Fatalf("PUT: %v %s", r.header, r.body)
		}
		r = c.do("PUT", loc, `{"slug":"pre","title":"Lost?","body":"x"}`, "If-Match", `"v1"`)
		expect(t, "PUT with a stale If-Match", r, 412, "/guides/stale-etag")
		p := r.json(t)
		if p["current_etag"] != `"v2"` || p["current"].(map[string]any)["title"] != "New title" {
			t.Fatalf("412: %s", r.body)
		}
		expect(t, "a weak tag never matches If-Match", c.do("PUT", loc, put, "If-Match", `W/"v2"`), 412, "/guides/stale-etag")
		expect(t, "a tag that is not ours", c.do("PUT", loc, put, "If-Match", `"abc"`), 412, "/guides/stale-etag")
		expect(t, "one of several tags", c.do("PUT", loc, put, "If-Match", `"v9", "v2"`), 200, "")
		expect(t, "If-Match: *", c.do("PUT", loc, put, "If-Match", "*"), 200, "")

		r = c.do("PUT", loc, `{"slug":"pre","title":"Old edit","body":"","version":1}`)
		expect(t, "PUT with a stale body version", r, 409, "/guides/edit-conflict")
		if p := r.json(t); p["your_version"] != 1.0 || p["current_version"] != 4.0 || p["current"] == nil {
			t.Fatalf("409 edit conflict: %s", r.body)
		}
		expect(t, "PUT with the current body version", c.do("PUT", loc, `{"slug":"pre","title":"T","body":"","version":4}`), 200, "")

		g := c.do("GET", loc, "")
		lm, _ := http.ParseTime(g.header.Get("Last-Modified"))
		expect(t, "If-Unmodified-Since before the change", c.do("PUT", loc, put, "If-Unmodified-Since", lm.Add(-time.Hour).Format(http.TimeFormat)), 412, "/guides/stale-etag")
		expect(t, "If-Unmodified-Since after the change", c.do("PUT", loc, put, "If-Unmodified-Since", lm.Format(http.TimeFormat)), 200, "")
		expect(t, "If-Match wins over If-Unmodified-Since", c.do("PUT", loc, put, "If-Match", `"v6"`, "If-Unmodified-Since", lm.Add(-time.Hour).Format(http.TimeFormat)), 200, "")

		// The representation a client read can be sent back as it is.
		g = c.do("GET", loc, "")
		back := strings.Replace(g.body, `"title": "New title"`, `"title": "Round trip"`, 1)
		r = c.do("PUT", loc, back, "If-Match", g.header.Get("ETag"))
		expect(t, "PUT of what GET returned", r, 200, "")
		if r.json(t)["title"] != "Round trip" {
			t.Fatalf("round trip: %s", r.body)
		}
	})

	t.Run("merge patch", func(t *testing.T) {
		c := newClient(t, base)
		loc := c.create("patch", "Title", "body")
		mp := []string{"Content-Type", "application/merge-patch+json"}
		r := c.do("PATCH", loc, `{"title":"Patched"}`, mp...)
		expect(t, "PATCH without a precondition", r, 428, "/guides/missing-precondition")
		r = c.do("PATCH", loc, `{"title":"Patched"}`, append(mp, "If-Match", `"v1"`)...)
		expect(t, "PATCH", r, 200, "")
		if a := r.json(t); a["title"] != "Patched" || a["body"] != "body" || a["slug"] != "patch" || a["version"] != 2.0 {
			t.Fatalf("PATCH: %s", r.body)
		}
		r = c.do("PATCH", loc, `{"title":"Patched"}`, "If-Match", `"v2"`)
		expect(t, "PATCH as application/json", r, 415, "/415")
		if r.header.Get("Accept-Patch") != "application/merge-patch+json" {
			t.Fatalf("415 without Accept-Patch: %v", r.header)
		}
		expect(t, "PATCH removing the title", c.do("PATCH", loc, `{"title":null}`, append(mp, "If-Match", `"v2"`)...), 400, "/400")
		expect(t, "PATCH with a stale version", c.do("PATCH", loc, `{"body":"x","version":1}`, mp...), 409, "/guides/edit-conflict")
		expect(t, "PATCH with the version", c.do("PATCH", loc, `{"body":"x","version":2}`, mp...), 200, "")
	})

	t.Run("transitions", func(t *testing.T) {
		c := newClient(t, base)
		loc := c.create("states", "Title", "")
		r := c.do("POST", loc+"/publish", "")
		expect(t, "publish", r, 200, "")
		if r.json(t)["state"] != "published" || r.header.Get("ETag") != `"v2"` {
			t.Fatalf("publish: %s", r.body)
		}
		r = c.do("POST", loc+"/publish", "")
		expect(t, "publish twice", r, 409, "/guides/illegal-transition")
		if p := r.json(t); p["state"] != "published" || len(p["allowed"].([]any)) != 1 || p["allowed"].([]any)[0] != "archive" {
			t.Fatalf("illegal transition: %s", r.body)
		}
		expect(t, "restore a published article", c.do("POST", loc+"/restore", ""), 409, "/guides/illegal-transition")
		expect(t, "archive with a stale If-Match", c.do("POST", loc+"/archive", "", "If-Match", `"v1"`), 412, "/guides/stale-etag")
		expect(t, "archive", c.do("POST", loc+"/archive", "", "If-Match", `"v2"`), 200, "")
		expect(t, "edit the state", c.do("PUT", loc, `{"slug":"states","title":"T","body":"","state":"draft"}`, "If-Match", `"v3"`), 409, "/guides/illegal-transition")
		expect(t, "restore", c.do("POST", loc+"/restore", ""), 200, "")
		expect(t, "unknown transition", c.do("POST", loc+"/delete", ""), 404, "/404")
		if a := c.do("GET", loc, "").json(t); a["state"] != "draft" || a["version"] != 4.0 {
			t.Fatalf("after transitions: %v", a)
		}
	})

	t.Run("delete", func(t *testing.T) {
		c := newClient(t, base)
		loc := c.create("gone", "Title", "")
		expect(t, "DELETE without a precondition", c.do("DELETE", loc, ""), 428, "/guides/missing-precondition")
		expect(t, "DELETE with a stale If-Match", c.do("DELETE", loc, "", "If-Match", `"v7"`), 412, "/guides/stale-etag")
		r := c.do("DELETE", loc, "", "If-Match", `"v1"`)
		if r.status != 204 || r.body != "" {
			t.Fatalf("DELETE: %d %q", r.status, r.body)
		}
		expect(t, "GET after DELETE", c.do("GET", loc, ""), 404, "/404")
		expect(t, "DELETE again", c.do("DELETE", loc, "", "If-Match", `"v1"`), 404, "/404")
	})

	t.Run("sandboxes", func(t *testing.T) {
		c := newClient(t, base)
		loc := c.create("mine", "Mine", "")
		other := newClient(t, base)
		expect(t, "another sandbox's article", other.do("GET", loc, ""), 404, "/404")
		expect(t, "another sandbox's article, PUT", other.do("PUT", loc, `{"slug":"x","title":"x","body":""}`, "If-Match", "*"), 404, "/404")
		if l := other.do("GET", "/lab/articles", "").json(t)["articles"].([]any); len(l) != 0 {
			t.Fatalf("another sandbox lists %v", l)
		}
		bad := &client{t: t, base: base, sandbox: "not a token"}
		expect(t, "malformed Lab-Sandbox", bad.do("GET", "/lab/articles", ""), 400, "/400")

		// Without a header, a cookie names the sandbox.
		res, err := http.Get(base + "/lab/articles")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		var cookie *http.Cookie
		for _, ck := range res.Cookies() {
			if ck.Name == "teapot_lab" {
				cookie = ck
			}
		}
		if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Path != "/lab" || cookie.Value != res.Header.Get("Lab-Sandbox") {
			t.Fatalf("sandbox cookie: %+v, Lab-Sandbox %q", cookie, res.Header.Get("Lab-Sandbox"))
		}
		req, _ := http.NewRequest("POST", base+"/lab/articles", strings.NewReader(`{"slug":"by-cookie","title":"T","body":""}`))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(cookie)
		res, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		byCookie := &client{t: t, base: base, sandbox: cookie.Value}
		if res.StatusCode != 201 || len(byCookie.do("GET", "/lab/articles", "").json(t)["articles"].([]any)) != 1 {
			t.Fatalf("create by cookie: %d", res.StatusCode)
		}
	})

	t.Run("limits", func(t *testing.T) {
		c := newClient(t, base)
		for i := range 5 {
			c.create("a"+string(rune('0'+i)), "T", "")
		}
		r := c.do("POST", "/lab/articles", `{"slug":"six","title":"T","body":""}`)
		expect(t, "sixth article", r, 409, "/lab#limits")
		if r.json(t)["limit"] != 5.0 {
			t.Fatalf("limit: %s", r.body)
		}
		r = c.do("POST", "/lab/articles", `{"slug":"big","title":"T","body":"`+strings.Repeat("x", 4097)+`"}`)
		expect(t, "body over MaxBody", r, 413, "/413")
		r = c.do("POST", "/lab/articles", `{"slug":"big","title":"T","body":"`+strings.Repeat("x", 40000)+`"}`)
		expect(t, "request over the limit", r, 413, "/413")
	})
}
