package ipinfo

import (
	"embed"
	"net/http"

	"github.com/teapothq/teapot/internal/respond"
	"github.com/teapothq/teapot/internal/web"
)

//go:embed templates/ip.html assets/*
var files embed.FS

// view is what the /ip page's template sees.
type view struct {
	web.Page
	IPv4JSON string // /ip.json on the IPv4-only host, if any
	IPv6JSON string // and on the IPv6-only host
}

// AddPage renders the /ip page in shell's layout and adds its script. The
// page holds no address of its own, so it is cached like any page; its
// script asks /ip.json, and also v4JSON and v6JSON, the same address on
// hosts reached only over IPv4 and only over IPv6, when given.
func (s *Service) AddPage(shell *web.Shell, v4JSON, v6JSON string) error {
	if err := shell.AddAssets(files, "assets/*"); err != nil {
		return err
	}
	t, err := shell.Template(files, nil, "templates/ip.html")
	if err != nil {
		return err
	}
	html, err := shell.Render(t, view{Page: web.Page{Title: "What is my IP address?",
		Description: "Your public IP address, its version, reverse DNS name and whether it is private, CGNAT or otherwise special; for any IPv4 or IPv6 address too.",
		Scripts:     []string{"ip.js"}}, IPv4JSON: v4JSON, IPv6JSON: v6JSON})
	if err != nil {
		return err
	}
	s.page = respond.NewBody(respond.TypeHTML, web.CachePage, html)
	return nil
}

// servePage writes the /ip page with status.
func (s *Service) servePage(w http.ResponseWriter, r *http.Request, status int) {
	s.page.Serve(w, r, status, web.VaryPage)
}
