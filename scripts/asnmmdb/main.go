// Command asnmmdb builds a network database (.mmdb, in the flat layout
// teapot reads) from the CSV files of the @ip-location-db/asn package:
// lines of first address, last address, AS number and organisation.
// scripts/geodata uses it when the registry has no ready-made ASN .mmdb.
//
//	go run ./scripts/asnmmdb -o data/asn.mmdb asn-ipv4.csv asn-ipv6.csv
package main

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

func main() {
	out := flag.String("o", "asn.mmdb", "the database to write")
	desc := flag.String("description", "IP to ASN by RouteViews, NRO and DB-IP, from @ip-location-db/asn (CC BY 4.0)", "the database's description")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: asnmmdb -o OUT.mmdb FILE.csv...")
		os.Exit(2)
	}
	if err := build(*out, *desc, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "asnmmdb:", err)
		os.Exit(1)
	}
}

func build(out, desc string, files []string) error {
	t, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType: "asn", IPVersion: 6, RecordSize: 28,
		Description: map[string]string{"en": desc},
		// The source lists what it lists; teapot never looks up a
		// special-purpose address's network for anything but display.
		IncludeReservedNetworks: true,
		// Teredo (2001::/32) and 6to4 (2002::/16) have rows of their
		// own; teapot looks IPv4 up in ::/96 and never through them.
		DisableIPv4Aliasing: true,
	})
	if err != nil {
		return err
	}
	rows := 0
	for _, name := range files {
		n, err := insertFile(t, name)
		if err != nil {
			return err
		}
		rows += n
	}
	tmp := out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := t.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "asnmmdb: %d ranges into %s\n", rows, out)
	// A rename, so that a running teapot sees a whole new file.
	return os.Rename(tmp, out)
}

func insertFile(t *mmdbwriter.Tree, name string) (int, error) {
	f, err := os.Open(name)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 4
	r.ReuseRecord = true
	n := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("%s: %w", name, err)
		}
		first, last := net.ParseIP(rec[0]), net.ParseIP(rec[1])
		asn, err := strconv.ParseUint(rec[2], 10, 32)
		if first == nil || last == nil || err != nil {
			line, _ := r.FieldPos(0)
			return n, fmt.Errorf("%s:%d: want first address, last address, AS number, organisation", name, line)
		}
		if v4 := first.To4(); v4 != nil {
			first, last = v4, last.To4()
		}
		v := mmdbtype.Map{
			"autonomous_system_number":       mmdbtype.Uint32(asn),
			"autonomous_system_organization": mmdbtype.String(rec[3]),
		}
		if err := t.InsertRange(first, last, v); err != nil {
			line, _ := r.FieldPos(0)
			return n, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		n++
	}
}
