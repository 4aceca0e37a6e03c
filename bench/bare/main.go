// Command bare is the yardstick that bench/ratio compares teapot with: a
// plain net/http server that answers every request with one prebuilt
// response, the status, headers and body teapot sent for the path under
// test (saved as curl -D writes headers). It has no routing, no content
// negotiation, no logging and no metrics, and the same http.Server
// timeouts as teapot's defaults, so what separates the two is teapot's
// own work per request.
//
//	go run ./bench/bare -addr 127.0.0.1:8081 -body 409.html.gz -headers teapot-409.headers
//	go run ./bench/bare -addr 127.0.0.1:8082 -body ip.json -headers ip.headers
//
// With -lookup it also looks an address up in the location and network
// databases on every request, as teapot's /ip/{address} does, and then
// sends the same prebuilt bytes: a second yardstick for that path, which
// leaves out of the comparison the work any server answering it must do
// (the two lookups) and keeps in it what teapot adds (parsing, building
// the answer, encoding it, the log and the rest).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/netip"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/teapothq/teapot/internal/geo"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on, host:port")
	bodyFile := flag.String("body", "", "body to send, as it is (already compressed if the headers say so) (required)")
	ctype := flag.String("type", "text/html; charset=utf-8", "Content-Type, unless -headers gives one")
	headersFile := flag.String("headers", "", "response status line and headers to send, as curl -D saves them\n"+
		"(Date, Content-Length, Transfer-Encoding and Connection are left to net/http); without it: 200")
	encoding := flag.String("encoding", "", "Content-Encoding to send instead of the one in -headers; \"identity\" sends none")
	lookup := flag.String("lookup", "", "an IP address to look up in -geo-city and -geo-asn on every request")
	geoCity := flag.String("geo-city", "", "with -lookup: location databases, separated by commas, as teapot serve takes them")
	geoASN := flag.String("geo-asn", "", "with -lookup: network databases, separated by commas")
	flag.Parse()
	if *bodyFile == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	var (
		set   *geo.Set
		asked netip.Addr
		first geo.Record // what the lookup found at start
		err   error
	)
	if *lookup != "" {
		if asked, err = netip.ParseAddr(*lookup); err != nil {
			log.Fatal(err)
		}
		if set, err = geo.OpenSet(split(*geoCity), split(*geoASN), slog.Default()); err != nil {
			log.Fatal(err)
		}
		if first = set.Lookup(asked); first.Country == "" && first.ASN == 0 {
			log.Fatalf("-lookup %s: the databases know nothing of it", asked)
		}
	}
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		log.Fatal(err)
	}
	status, header := http.StatusOK, http.Header{}
	if *headersFile != "" {
		if status, header, err = readHeaders(*headersFile); err != nil {
			log.Fatal(err)
		}
	}
	if header.Get("Content-Type") == "" {
		header.Set("Content-Type", *ctype)
	}
	switch *encoding {
	case "":
	case "identity":
		header.Del("Content-Encoding")
	default:
		header.Set("Content-Encoding", *encoding)
	}
	header.Set("Content-Length", strconv.Itoa(len(body)))

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if set != nil {
			if rec := set.Lookup(asked); rec.City != first.City || rec.ASN != first.ASN {
				http.Error(w, "the lookup found something else", http.StatusInternalServerError)
				return
			}
		}
		h := w.Header()
		for k, v := range header {
			h[k] = v
		}
		w.WriteHeader(status)
		w.Write(body)
	})
	// The defaults of teapot serve (see teapot help serve).
	srv := &http.Server{
		Addr:              *addr,
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16384,
	}
	log.Fatal(srv.ListenAndServe())
}

func split(list string) []string {
	if list == "" {
		return nil
	}
	return strings.Split(list, ",")
}

// readHeaders reads a status line and header block as curl -D writes them.
func readHeaders(name string) (int, http.Header, error) {
	f, err := os.Open(name)
	if err != nil {
		return 0, nil, err
	}
	defer f.Close()
	r := textproto.NewReader(bufio.NewReader(f))
	line, err := r.ReadLine()
	if err != nil {
		return 0, nil, fmt.Errorf("%s: no status line: %v", name, err)
	}
	// HTTP/1.1 418 I'm a teapot
	fields := strings.Fields(line)
	status := 0
	if len(fields) >= 2 && strings.HasPrefix(fields[0], "HTTP/") {
		status, _ = strconv.Atoi(fields[1])
	}
	if status < 100 || status > 999 {
		return 0, nil, fmt.Errorf("%s: bad status line %q", name, line)
	}
	m, err := r.ReadMIMEHeader()
	if err != nil && len(m) == 0 {
		return 0, nil, fmt.Errorf("%s: %v", name, err)
	}
	h := http.Header(m)
	for _, k := range []string{"Date", "Content-Length", "Transfer-Encoding", "Connection"} {
		h.Del(k)
	}
	return status, h, nil
}
