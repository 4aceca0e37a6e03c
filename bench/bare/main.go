// Command bare is the ceiling that bench/run.sh compares teapot with: a
// plain net/http server that answers every request with one prebuilt gzip
// response, the same bytes teapot sends for /409 to a browser. It has no
// routing, no content negotiation, no logging and no metrics, and the
// same http.Server timeouts as teapot's defaults, so what separates the two
// is teapot's own work per request.
//
//	go run ./bench/bare -addr 127.0.0.1:8081 -body site/409.html.gz -headers teapot-409.headers
//	go run ./bench/bare -addr 127.0.0.1:8082 -body ip.json -headers ip.headers -encoding identity
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/textproto"
	"os"
	"strconv"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on, host:port")
	bodyFile := flag.String("body", "", "body to send, compressed as -encoding says, such as an exported 409.html.gz (required)")
	ctype := flag.String("type", "text/html; charset=utf-8", "Content-Type, unless -headers gives one")
	headersFile := flag.String("headers", "", "optional response headers to send as well, as curl -D saves them;\n"+
		"the status line, Date, Content-Length and Content-Encoding are skipped")
	encoding := flag.String("encoding", "gzip", "Content-Encoding of the body; \"identity\" sends it as it is, with none")
	flag.Parse()
	if *bodyFile == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		log.Fatal(err)
	}
	header := http.Header{}
	if *headersFile != "" {
		if header, err = readHeaders(*headersFile); err != nil {
			log.Fatal(err)
		}
	}
	if header.Get("Content-Type") == "" {
		header.Set("Content-Type", *ctype)
	}
	if *encoding != "identity" {
		header.Set("Content-Encoding", *encoding)
	}
	header.Set("Content-Length", strconv.Itoa(len(body)))

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range header {
			h[k] = v
		}
		w.WriteHeader(http.StatusOK)
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

// readHeaders reads a response header block as curl -D writes it.
func readHeaders(name string) (http.Header, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := textproto.NewReader(bufio.NewReader(f))
	if _, err := r.ReadLine(); err != nil {
		return nil, fmt.Errorf("%s: no status line: %v", name, err)
	}
	m, err := r.ReadMIMEHeader()
	if err != nil && len(m) == 0 {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	h := http.Header(m)
	for _, k := range []string{"Date", "Content-Length", "Content-Encoding", "Transfer-Encoding", "Connection"} {
		h.Del(k)
	}
	return h, nil
}
