package geo

import (
	"math"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/oschwald/maxminddb-golang/v2"
)

// The records are decoded into small structs that name only the fields
// shown, so that the decoder skips the rest (other languages, geoname
// IDs, ...). The structs come from pools: the decoder keeps their
// slices' capacity and interns repeated strings, so a lookup allocates
// nothing once warm. The MaxMind layout's record, the deepest, is walked
// by hand (decode_maxmind.go); its tags still say where each field is.

type names struct {
	EN string `maxminddb:"en"`
}

// maxMindLocation is a GeoIP2/GeoLite2 City or Country record.
type maxMindLocation struct {
	City struct {
		Names names `maxminddb:"names"`
	} `maxminddb:"city"`
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
		Names   names  `maxminddb:"names"`
	} `maxminddb:"country"`
	Subdivisions []struct {
		Names names `maxminddb:"names"`
	} `maxminddb:"subdivisions"`
	Location struct {
		Latitude       float64 `maxminddb:"latitude"`
		Longitude      float64 `maxminddb:"longitude"`
		AccuracyRadius uint16  `maxminddb:"accuracy_radius"`
		TimeZone       string  `maxminddb:"time_zone"`
	} `maxminddb:"location"`
	Postal struct {
		Code string `maxminddb:"code"`
	} `maxminddb:"postal"`
}

// flatLocation is an @ip-location-db city or country record. Its
// coordinates are 32-bit floats.
type flatLocation struct {
	CountryCode string  `maxminddb:"country_code"`
	State1      string  `maxminddb:"state1"`
	City        string  `maxminddb:"city"`
	Postcode    string  `maxminddb:"postcode"`
	Latitude    float32 `maxminddb:"latitude"`
	Longitude   float32 `maxminddb:"longitude"`
	Timezone    string  `maxminddb:"timezone"`
}

// network is an AS record; both layouts name its fields alike.
type network struct {
	Number uint32 `maxminddb:"autonomous_system_number"`
	Org    string `maxminddb:"autonomous_system_organization"`
}

var (
	maxMindPool = sync.Pool{New: func() any { return new(maxMindLocation) }}
	flatPool    = sync.Pool{New: func() any { return new(flatLocation) }}
	networkPool = sync.Pool{New: func() any { return new(network) }}
)

// noCoordinate marks a coordinate the record does not have: the decoder
// leaves a missing field as it was.
var noCoordinate = math.NaN()

// find looks a up in db and fills in rec; false when db has no record
// for it. a is an IPv4 address or a plain IPv6 one.
func (db *DB) find(a netip.Addr, rec *Record) (bool, error) {
	if db.ipv4 && !a.Is4() {
		return false, nil
	}
	res := db.r.Lookup(a)
	if !res.Found() {
		return false, res.Err()
	}
	dec, err := db.decoded(res)
	if err != nil {
		return false, err
	}
	if db.kind == ASN {
		rec.ASN, rec.Org = dec.ASN, dec.Org
	} else {
		rec.setLocation(dec)
	}
	if p := res.Prefix(); !rec.Network.IsValid() || p.Bits() > rec.Network.Bits() {
		rec.Network = p
	}
	if db.kind == ASN {
		rec.NetworkSources = db.sources
	} else {
		rec.LocationSources = db.sources
	}
	return true, nil
}

// setLocation copies the location fields of from.
func (rec *Record) setLocation(from *Record) {
	rec.Country, rec.CountryCode, rec.Region, rec.City, rec.PostalCode = from.Country, from.CountryCode, from.Region, from.City, from.PostalCode
	rec.Latitude, rec.Longitude, rec.HasCoordinates = from.Latitude, from.Longitude, from.HasCoordinates
	rec.AccuracyRadius, rec.TimeZone = from.AccuracyRadius, from.TimeZone
}

// recordCacheSize is the number of decoded records a database keeps. A
// record is shared by every network with the same place or AS, and
// decoding one costs several times the walk down the tree that finds it
// (BenchmarkLookup: 662 ns a lookup of both databases without the cache,
// 327 ns with it), so the records that most visitors share are kept
// decoded: at most this many, a few hundred bytes each (0 keeps none).
var recordCacheSize = 2048

// recordCache holds decoded records by their offset in the data
// section, one per slot: a record takes the slot its offset hashes to,
// and takes it from the one there before. Slots are read and written
// without a lock; a record, once cached, is never changed.
type recordCache []atomic.Pointer[cachedRecord]

type cachedRecord struct {
	offset uintptr
	rec    Record // the fields the database fills; Network and the sources are the caller's
}

func (c recordCache) slot(offset uintptr) *atomic.Pointer[cachedRecord] {
	// Fibonacci hashing: records are laid out one after another, and
	// their offsets' low bits alone would crowd a few slots.
	return &c[uint64(offset)*0x9E3779B97F4A7C15>>32%uint64(len(c))]
}

// decoded is the record res points at, decoded: from the cache, or
// decoded and then cached.
func (db *DB) decoded(res maxminddb.Result) (*Record, error) {
	off := res.Offset()
	var slot *atomic.Pointer[cachedRecord]
	if len(db.cache) > 0 {
		slot = db.cache.slot(off)
		if c := slot.Load(); c != nil && c.offset == off {
			return &c.rec, nil
		}
	}
	c := &cachedRecord{offset: off}
	var err error
	switch {
	case db.kind == ASN:
		err = decodeNetwork(res, &c.rec)
	case db.layout == MaxMind:
		err = decodeMaxMind(res, &c.rec)
	default:
		err = decodeFlat(res, &c.rec)
	}
	if err != nil {
		return nil, err
	}
	if slot != nil {
		slot.Store(c)
	}
	return &c.rec, nil
}

func decodeMaxMind(res maxminddb.Result, rec *Record) error {
	v := maxMindPool.Get().(*maxMindLocation)
	defer maxMindPool.Put(v)
	subs := v.Subdivisions[:0]
	*v = maxMindLocation{Subdivisions: subs}
	v.Location.Latitude, v.Location.Longitude = noCoordinate, noCoordinate
	if err := res.Decode(v); err != nil {
		return err
	}
	rec.CountryCode = v.Country.ISOCode
	rec.Country = v.Country.Names.EN
	if rec.Country == "" {
		rec.Country = CountryName(rec.CountryCode)
	}
	if len(v.Subdivisions) > 0 {
		rec.Region = v.Subdivisions[0].Names.EN
	}
	rec.City = v.City.Names.EN
	rec.PostalCode = v.Postal.Code
	if l := v.Location; !math.IsNaN(l.Latitude) && !math.IsNaN(l.Longitude) {
		rec.Latitude, rec.Longitude, rec.HasCoordinates = l.Latitude, l.Longitude, true
	}
	rec.AccuracyRadius = v.Location.AccuracyRadius
	rec.TimeZone = v.Location.TimeZone
	return nil
}

func decodeFlat(res maxminddb.Result, rec *Record) error {
	v := flatPool.Get().(*flatLocation)
	defer flatPool.Put(v)
	*v = flatLocation{Latitude: float32(noCoordinate), Longitude: float32(noCoordinate)}
	if err := res.Decode(v); err != nil {
		return err
	}
	rec.CountryCode = v.CountryCode
	rec.Country = CountryName(v.CountryCode)
	rec.Region = v.State1
	rec.City = v.City
	rec.PostalCode = v.Postcode
	if !isNaN32(v.Latitude) && !isNaN32(v.Longitude) {
		rec.Latitude, rec.Longitude, rec.HasCoordinates = shortest(v.Latitude), shortest(v.Longitude), true
	}
	rec.TimeZone = v.Timezone
	return nil
}

func decodeNetwork(res maxminddb.Result, rec *Record) error {
	v := networkPool.Get().(*network)
	defer networkPool.Put(v)
	*v = network{}
	if err := res.Decode(v); err != nil {
		return err
	}
	rec.ASN, rec.Org = v.Number, v.Org
	return nil
}

func isNaN32(f float32) bool { return f != f }

// shortest is the float64 nearest the shortest decimal that reads back
// as f: 51.5143 rather than 51.514301300048828, which is what f holds
// when widened. It allocates nothing, unlike a round trip through text.
func shortest(f float32) float64 {
	v := float64(f)
	if v == 0 || math.IsInf(v, 0) {
		return v
	}
	exp := math.Floor(math.Log10(math.Abs(v)))
	for digits := 1.0; digits <= 9; digits++ {
		scale := math.Pow(10, digits-1-exp)
		r := math.Round(v*scale) / scale
		if float32(r) == f {
			return r
		}
	}
	return v
}
