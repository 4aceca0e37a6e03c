package site

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// serveLab writes the conflict lab's page. Its editors talk to the lab's
// API under {base}/lab/ from the browser; the page itself is the same for
// everyone.
func (s *Site) serveLab(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.format(r); !ok || f != fmtHTML {
		s.serveNotFound(w, r)
		return
	}
	s.labPage.Serve(w, r, http.StatusOK, varyPage)
}

func (s *Site) labView() view {
	l := s.opts.Lab
	v := view{Title: "Conflict lab: 409, 412 and 428 for real",
		Description: "Two editors change the same article through a real versioned API: see a 412 happen, merge the edits line by line, and save with the new ETag.",
		Origin:      s.origin(), Lab: true}
	if l.MaxArticles > 0 {
		v.LabMaxArticles = strconv.Itoa(l.MaxArticles) + " articles"
		if l.MaxArticles == 1 {
			v.LabMaxArticles = "1 article"
		}
	}
	if l.MaxBody > 0 {
		v.LabMaxBody = byteSize(l.MaxBody)
	}
	if l.TTL > 0 {
		v.LabTTL = duration(l.TTL)
	}
	return v
}

// byteSize writes n bytes the way people say it: "64 KiB", "1 MiB",
// "1500 bytes".
func byteSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
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
