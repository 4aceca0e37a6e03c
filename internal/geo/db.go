package geo

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/oschwald/maxminddb-golang/v2"
)

// Kind is what a database holds.
type Kind uint8

// The kinds of database.
const (
	City    Kind = iota + 1 // location: country, region, city, coordinates
	Country                 // the country alone
	ASN                     // the network: AS number and organisation
)

func (k Kind) String() string {
	switch k {
	case City:
		return "city"
	case Country:
		return "country"
	case ASN:
		return "asn"
	}
	return "unknown"
}

// Layout is how a database's records are shaped.
type Layout uint8

// The layouts read.
const (
	// MaxMind is the layout of GeoIP2 and GeoLite2 (and DB-IP's
	// .mmdb): nested maps with names by language.
	MaxMind Layout = iota + 1
	// Flat is the layout of the @ip-location-db packages: one map of
	// plain values.
	Flat
)

func (l Layout) String() string {
	if l == MaxMind {
		return "maxmind"
	}
	return "flat"
}

// Source is a data set an answer comes from, with the attribution its
// licence asks for.
type Source struct {
	Name        string `json:"name"`
	URL         string `json:"url"`
	Attribution string `json:"attribution,omitempty"`
}

// Record is what the databases know of one address. Empty fields are not
// known.
type Record struct {
	Country     string // English name
	CountryCode string // ISO 3166-1 alpha-2
	Region      string // the first-level subdivision: state, province, ...
	City        string
	PostalCode  string
	// Latitude and Longitude are valid when HasCoordinates is true:
	// 0, 0 is a place too.
	Latitude, Longitude float64
	HasCoordinates      bool
	AccuracyRadius      uint16 // kilometres around the coordinates; 0 if not known
	TimeZone            string // IANA time zone name, such as Europe/London
	ASN                 uint32
	Org                 string
	// Network is the block the whole answer holds for: the longest of
	// the matching networks of the location and the network database.
	Network netip.Prefix
	// LocationSources and NetworkSources are the data sets the location
	// and the network fields came from, when they came from one.
	LocationSources, NetworkSources []Source
}

// DB is one open .mmdb file.
type DB struct {
	path    string
	r       *maxminddb.Reader
	kind    Kind
	layout  Layout
	ipv4    bool // holds IPv4 addresses only
	sources []Source
	refs    atomic.Int64 // 1 for the holder, plus one per lookup in flight
	cache   recordCache
}

// Open maps the database at path and tells its kind and layout. The
// error names the file and says what is wrong with it.
func Open(path string) (*DB, error) {
	r, err := maxminddb.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
			return nil, err
		}
		return nil, fmt.Errorf("%s is not a readable MaxMind DB (.mmdb) file: %w", path, err)
	}
	db := &DB{path: path, r: r, ipv4: r.Metadata.IPVersion == 4, cache: make(recordCache, recordCacheSize)}
	if db.kind, db.layout, err = detect(r); err != nil {
		r.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	db.sources = sourcesOf(path, r.Metadata, db.kind, db.layout)
	db.refs.Store(1)
	return db, nil
}

// Kind is what the database holds.
func (db *DB) Kind() Kind { return db.kind }

// Layout is the shape of its records.
func (db *DB) Layout() Layout { return db.layout }

// Sources are the data sets it holds, with their attribution.
func (db *DB) Sources() []Source { return db.sources }

// Type is the database type its metadata gives.
func (db *DB) Type() string { return db.r.Metadata.DatabaseType }

// Close unmaps the file. No lookup may be in flight.
func (db *DB) Close() error { return db.r.Close() }

// acquire takes a reference for a lookup; false once the database has
// been retired and its last lookup is done.
func (db *DB) acquire() bool {
	for {
		n := db.refs.Load()
		if n <= 0 {
			return false
		}
		if db.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release drops a reference; the last one closes the file.
func (db *DB) release() {
	if db.refs.Add(-1) == 0 {
		db.r.Close()
	}
}

// detect tells the kind and layout from the metadata's database type,
// or, when the type is not one it knows, from the fields of the first
// record.
func detect(r *maxminddb.Reader) (Kind, Layout, error) {
	t := strings.ToLower(r.Metadata.DatabaseType)
	kind := kindOf(t)
	for _, p := range []string{"geoip2-", "geolite2-", "geoip-", "dbip-"} {
		if strings.HasPrefix(t, p) && kind != 0 {
			return kind, MaxMind, nil
		}
	}
	first, err := sample(r)
	if err != nil {
		return 0, 0, err
	}
	if first == nil {
		// Nothing where public addresses usually are: go by the type's
		// name, in the flat layout (MaxMind's types are known above).
		if kind != 0 {
			return kind, Flat, nil
		}
		return 0, 0, fmt.Errorf("database type %q: none of its records could be read to tell its layout by", r.Metadata.DatabaseType)
	}
	_, hasASN := first["autonomous_system_number"]
	_, nestedCountry := first["country"].(map[string]any)
	_, nestedCity := first["city"].(map[string]any)
	_, hasLocation := first["location"]
	_, flatCode := first["country_code"]
	_, flatCity := first["city"].(string)
	_, flatLat := first["latitude"]
	switch {
	case hasASN:
		// Both layouts name the AS fields alike.
		if nestedCountry || hasLocation {
			return 0, 0, fmt.Errorf("database type %q: its records mix location and network fields", r.Metadata.DatabaseType)
		}
		return ASN, Flat, nil
	case nestedCountry || nestedCity || hasLocation:
		if nestedCity || hasLocation {
			return City, MaxMind, nil
		}
		return Country, MaxMind, nil
	case flatCity || flatLat:
		return City, Flat, nil
	case flatCode:
		return Country, Flat, nil
	}
	return 0, 0, fmt.Errorf("database type %q: its records have none of the known location or network fields (country_code, city, autonomous_system_number, ...)", r.Metadata.DatabaseType)
}

// probes are addresses that any database of the Internet's addresses
// knows, and the documentation ones test databases hold. Looking a few
// up bounds the work, where walking the tree of a corrupt file to its
// first record may not end.
var probes = []netip.Addr{
	netip.MustParseAddr("1.1.1.1"), netip.MustParseAddr("8.8.8.8"), netip.MustParseAddr("81.2.69.160"),
	netip.MustParseAddr("2001:4860:4860::8888"), netip.MustParseAddr("2606:4700::1111"),
	netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("198.51.100.1"), netip.MustParseAddr("203.0.113.1"),
	netip.MustParseAddr("2001:db8::1"),
}

// sample is the first record found for a probe, decoded as a map; nil
// when there is none.
func sample(r *maxminddb.Reader) (map[string]any, error) {
	for _, a := range probes {
		if r.Metadata.IPVersion == 4 && a.Is6() {
			continue
		}
		res := r.Lookup(a)
		if !res.Found() {
			continue
		}
		var m map[string]any
		if err := res.Decode(&m); err != nil {
			return nil, fmt.Errorf("reading the record of %s: %w", a, err)
		}
		if m != nil {
			return m, nil
		}
	}
	return nil, nil
}

func kindOf(t string) Kind {
	switch {
	case strings.Contains(t, "asn") || strings.Contains(t, "isp"):
		return ASN
	case strings.Contains(t, "city"):
		return City
	case strings.Contains(t, "country"):
		return Country
	}
	return 0
}

// sourcesOf names the data set of a database and the attribution its
// licence asks for: from the metadata where it says, else from the name
// of the file or the licence file beside it, as the @ip-location-db
// packages ship them.
func sourcesOf(path string, md maxminddb.Metadata, kind Kind, layout Layout) []Source {
	t := md.DatabaseType
	lt := strings.ToLower(t)
	hint := strings.ToLower(filepath.Base(path) + " " + md.Description["en"])
	beside := func(name string) bool {
		_, err := os.Stat(filepath.Join(filepath.Dir(path), name))
		return err == nil
	}
	switch {
	case strings.HasPrefix(lt, "geolite2-"), layout == Flat && strings.Contains(hint, "geolite2"),
		layout == Flat && !strings.Contains(hint, "dbip") && beside("GEOLITE2_LICENSE"):
		return []Source{geoLite2(t, kind)}
	case strings.HasPrefix(lt, "geoip2-"), strings.HasPrefix(lt, "geoip-"):
		return []Source{{Name: "MaxMind " + t, URL: "https://www.maxmind.com/"}}
	case strings.HasPrefix(lt, "dbip-"), strings.Contains(hint, "dbip"), strings.Contains(hint, "db-ip") && kind != ASN,
		kind != ASN && beside("DBIP-LICENSE") && !beside("ROUTEVIEWS-LICENSE"):
		return []Source{dbIP(kind)}
	case kind == ASN && (strings.HasPrefix(filepath.Base(path), "asn") || strings.Contains(hint, "routeviews") || beside("ROUTEVIEWS-LICENSE")):
		return ipLocationASN()
	}
	return []Source{{Name: filepath.Base(path) + " (" + t + ")",
		Attribution: "a data set teapot does not recognise: see its licence for the attribution it needs"}}
}

func geoLite2(t string, kind Kind) Source {
	name := "GeoLite2 " + map[Kind]string{City: "City", Country: "Country", ASN: "ASN"}[kind]
	if strings.HasPrefix(strings.ToLower(t), "geolite2-") {
		name = t
	}
	return Source{Name: name + " by MaxMind", URL: "https://www.maxmind.com",
		Attribution: "This product includes GeoLite2 Data created by MaxMind, available from https://www.maxmind.com (CC BY-SA 4.0, GeoLite2 EULA)."}
}

func dbIP(kind Kind) Source {
	name := map[Kind]string{City: "IP to City Lite", Country: "IP to Country Lite", ASN: "IP to ASN Lite"}[kind]
	return Source{Name: "IP Geolocation by DB-IP", URL: "https://db-ip.com",
		Attribution: "DB-IP " + name + ", licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)."}
}

// ipLocationASN are the sources of @ip-location-db's asn data: AS
// numbers from RouteViews and the regional registries' statistics (by
// the NRO), organisation names from DB-IP; each asks to be credited.
func ipLocationASN() []Source {
	const by = "licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/), merged by ip-location-db."
	return []Source{
		{Name: "RouteViews", URL: "https://www.routeviews.org/", Attribution: "IP to AS number data by RouteViews, " + by},
		{Name: "NRO", URL: "https://www.nro.net/", Attribution: "Regional Internet Registry statistics by the Number Resource Organization, " + by},
		{Name: "IP Geolocation by DB-IP", URL: "https://db-ip.com", Attribution: "Organisation names from DB-IP IP to ASN Lite, " + by},
	}
}
