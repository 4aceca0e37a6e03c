// Package geo reads location and network databases in the MaxMind DB
// (.mmdb) format: where an IP address is (country, region, city,
// coordinates, time zone) and whose network it is in (AS number and
// organisation). It knows nothing of HTTP.
//
// Two layouts are read, told apart by each file's metadata: MaxMind's
// GeoIP2 and GeoLite2 City, Country and ASN databases (and DB-IP's, which
// share them), with nested, localised records; and the flat records of
// the @ip-location-db packages (country_code, state1, city, latitude, ...;
// autonomous_system_number, autonomous_system_organization). Which data
// set a file holds, and so the attribution its licence asks for, comes
// from the metadata and, for the flat files that do not say, from the
// file's name or the licence file beside it.
//
// Files are memory-mapped, not read into the heap, and reopened when
// they change on disk (Set.Watch) or when asked (Set.Reload): the new
// file replaces the old one at once, and the old one is unmapped when the
// last lookup using it is done. Replace a file by renaming a new one over
// it; writing into a mapped file in place can crash the process.
//
// geo imports the maxminddb reader and the standard library, nothing of
// teapot.
package geo
