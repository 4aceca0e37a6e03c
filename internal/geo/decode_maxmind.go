package geo

import (
	"github.com/oschwald/maxminddb-golang/v2/mmdbdata"
)

// cursor is a position in a database's data section.
type cursor = mmdbdata.Cursor

// UnmarshalMaxMindDBCursor decodes the fields of a GeoIP2/GeoLite2 record
// that teapot shows, walking the record's maps by hand: the reflection
// decoder took as long as the rest of an /ip/{address}.json request. Other
// keys are skipped; of the subdivisions only the first is kept, the one
// shown as the region.
func (v *maxMindLocation) UnmarshalMaxMindDBCursor(c cursor) (cursor, error) {
	return fields(c, func(key []byte, c cursor) (cursor, error) {
		switch string(key) {
		case "city":
			return englishName(c, &v.City.Names.EN)
		case "country":
			return fields(c, func(key []byte, c cursor) (next cursor, err error) {
				switch string(key) {
				case "iso_code":
					v.Country.ISOCode, next, err = c.ReadString()
					return next, err
				case "names":
					return english(c, &v.Country.Names.EN)
				}
				return c.Skip()
			})
		case "subdivisions":
			return firstSubdivision(c, v)
		case "location":
			return fields(c, func(key []byte, c cursor) (next cursor, err error) {
				l := &v.Location
				switch string(key) {
				case "latitude":
					l.Latitude, next, err = c.ReadFloat64()
				case "longitude":
					l.Longitude, next, err = c.ReadFloat64()
				case "accuracy_radius":
					var n uint64
					if n, next, err = c.ReadUint(); err == nil && n > 0xffff {
						err = mmdbdata.NewUnmarshalTypeError[uint16](n)
					}
					l.AccuracyRadius = uint16(n)
				case "time_zone":
					l.TimeZone, next, err = c.ReadString()
				default:
					return c.Skip()
				}
				return next, err
			})
		case "postal":
			return fields(c, func(key []byte, c cursor) (next cursor, err error) {
				if string(key) == "code" {
					v.Postal.Code, next, err = c.ReadString()
					return next, err
				}
				return c.Skip()
			})
		}
		return c.Skip()
	})
}

// firstSubdivision keeps the English name of the first element of a
// record's subdivisions.
func firstSubdivision(c cursor, v *maxMindLocation) (cursor, error) {
	s, err := c.Slice()
	if err != nil {
		return cursor{}, err
	}
	var next cursor
	for i := 0; ; i++ {
		_, elem, ok := s.Next(next)
		if !ok {
			break
		}
		if i > 0 {
			next, err = elem.Skip()
		} else {
			v.Subdivisions = append(v.Subdivisions[:0], struct {
				Names names `maxminddb:"names"`
			}{})
			next, err = englishName(elem, &v.Subdivisions[0].Names.EN)
		}
		if err != nil {
			return cursor{}, err
		}
	}
	return s.End()
}

// fields calls f with each key of the map at c and a cursor at its value;
// f returns the cursor after the value (c.Skip() for a value it passes
// over).
func fields(c cursor, f func(key []byte, value cursor) (cursor, error)) (cursor, error) {
	m, err := c.Map()
	if err != nil {
		return cursor{}, err
	}
	var next cursor
	for {
		key, value, ok := m.Next(next)
		if !ok {
			break
		}
		if next, err = f(key, value); err != nil {
			return cursor{}, err
		}
	}
	return m.End()
}

// englishName reads "en" of the "names" of the map at c.
func englishName(c cursor, en *string) (cursor, error) {
	return fields(c, func(key []byte, c cursor) (cursor, error) {
		if string(key) == "names" {
			return english(c, en)
		}
		return c.Skip()
	})
}

// english reads "en" of the names map at c.
func english(c cursor, en *string) (cursor, error) {
	return fields(c, func(key []byte, c cursor) (next cursor, err error) {
		if string(key) == "en" {
			*en, next, err = c.ReadString()
			return next, err
		}
		return c.Skip()
	})
}
