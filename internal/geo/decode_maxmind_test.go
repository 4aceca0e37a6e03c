package geo

import (
	"reflect"
	"testing"

	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/teapothq/teapot/internal/geo/geotest"
)

// TestDecodeByHand decodes every record of the MaxMind-layout fixture
// both by hand and with the library's reflection decoder, and wants the
// same fields (the hand decoder keeps only the first subdivision).
func TestDecodeByHand(t *testing.T) {
	files, err := geotest.WriteMaxMind(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r, err := maxminddb.Open(files.Location[0])
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	type reflected maxMindLocation // the same fields, without the method
	n := 0
	for res := range r.Networks() {
		var hand maxMindLocation
		var refl reflected
		if err := res.Decode(&hand); err != nil {
			t.Fatalf("%s: by hand: %v", res.Prefix(), err)
		}
		if err := res.Decode(&refl); err != nil {
			t.Fatalf("%s: reflection: %v", res.Prefix(), err)
		}
		if len(refl.Subdivisions) < 2 {
			t.Fatalf("%s: the fixture should have two subdivisions, has %d", res.Prefix(), len(refl.Subdivisions))
		}
		refl.Subdivisions = refl.Subdivisions[:1]
		if !reflect.DeepEqual(hand, maxMindLocation(refl)) {
			t.Errorf("%s:\n by hand    %+v\n reflection %+v", res.Prefix(), hand, refl)
		}
		n++
	}
	if n == 0 {
		t.Fatal("the fixture has no records")
	}
}
