package lab

import (
	"embed"
	"net/http"
	"strconv"
	"time"

	"github.com/teapothq/teapot/internal/web"
)

//go:embed templates/lab.html assets/*
var files embed.FS

// view is what the lab's page template sees.
type view struct {
	web.Page
	// The lab's limits, as text; "" when not known.
	LabMaxArticles, LabMaxBody, LabTTL                        string
	LabIdleTTL, LabNewSandboxes, LabMaxSandboxes, LabMaxBytes string
}

// AddPage renders the lab's page in shell's layout and adds its scripts,
// so that Register serves it at /lab.
func (l *Lab) AddPage(shell *web.Shell) error {
	if err := shell.AddAssets(files, "assets/*"); err != nil {
		return err
	}
	t, err := shell.Template(files, nil, "templates/lab.html")
	if err != nil {
		return err
	}
	html, err := shell.Render(t, labView(l.opts))
	if err != nil {
		return err
	}
	l.page = web.NewDoc(html, nil, nil)
	l.shell = shell
	return nil
}

// servePage writes the conflict lab's page. Its editors talk to the lab's
// API under /lab/ from the browser; the page itself is the same for
// everyone.
func (l *Lab) servePage(w http.ResponseWriter, r *http.Request) {
	if f, ok := web.Format(r, ""); !ok || f != web.HTML {
		l.shell.NotFound(w, r)
		return
	}
	l.page.HTML().Serve(w, r, http.StatusOK, web.VaryPage)
}

func labView(o Options) view {
	v := view{Page: web.Page{Title: "Conflict lab: 409, 412 and 428 for real",
		Description: "Two editors change the same article through a real versioned API: see a 412 happen, merge the edits line by line, and save with the new ETag.",
		Scripts:     []string{"lab-merge.js", "lab-http.js", "lab.js"}}}
	if o.MaxArticles > 0 {
		v.LabMaxArticles = strconv.Itoa(o.MaxArticles) + " articles"
		if o.MaxArticles == 1 {
			v.LabMaxArticles = "1 article"
		}
	}
	if o.MaxBody > 0 {
		v.LabMaxBody = web.ByteSize(o.MaxBody)
	}
	if o.TTL > 0 {
		v.LabTTL = duration(o.TTL)
		v.LabIdleTTL = duration(min(o.TTL, littleUsedTTL))
	}
	if o.NewSandboxesPerHour > 0 {
		v.LabNewSandboxes = strconv.Itoa(o.NewSandboxesPerHour)
	}
	if o.MaxSandboxes > 0 {
		v.LabMaxSandboxes = strconv.Itoa(o.MaxSandboxes) + " sandboxes"
	}
	if o.MaxBytes > 0 {
		v.LabMaxBytes = web.ByteSize(o.MaxBytes)
	}
	return v
}

// duration writes d in the largest whole unit: "24 hours", "90 minutes".
func duration(d time.Duration) string {
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.FormatInt(n, 10) + " " + one + "s"
	}
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0 && d > 24*time.Hour:
		return unit(int64(d/(24*time.Hour)), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return unit(int64(d/time.Hour), "hour")
	case d >= time.Minute && d%time.Minute == 0:
		return unit(int64(d/time.Minute), "minute")
	}
	return d.String()
}
