// Command geofixture writes the small test databases of package geotest
// (made-up places and networks in the documentation ranges and
// 81.2.69.0/24) into a folder and prints the serve flags that load them,
// for bench/ratio's /ip path.
//
//	go run ./bench/geofixture -dir /tmp/geo -layout maxmind
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/teapothq/teapot/internal/geo/geotest"
)

func main() {
	dir := flag.String("dir", ".", "folder to write the databases into")
	layout := flag.String("layout", "maxmind", "maxmind (GeoLite2-City.mmdb, GeoLite2-ASN.mmdb) or flat (the @ip-location-db layout)")
	flag.Parse()
	var f geotest.Files
	var err error
	switch *layout {
	case "maxmind":
		f, err = geotest.WriteMaxMind(*dir)
	case "flat":
		f, err = geotest.WriteFlat(*dir)
	default:
		err = fmt.Errorf("-layout must be maxmind or flat, not %q", *layout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "geofixture:", err)
		os.Exit(1)
	}
	fmt.Printf("--geo-city %s --geo-asn %s\n", strings.Join(f.Location, ","), f.Network)
}
