package geo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// file is one database file, reopened when it changes.
type file struct {
	path string
	want []Kind // the kinds its flag accepts
	cur  atomic.Pointer[DB]

	mu     sync.Mutex // serialises reloads and guards seen and closed
	seen   stamp      // the file as last opened or tried
	closed bool
}

// stamp tells a file's versions apart.
type stamp struct {
	size    int64
	modTime time.Time
	ino     uint64
}

func stampOf(path string) (stamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return stamp{}, err
	}
	return stamp{size: fi.Size(), modTime: fi.ModTime(), ino: inode(fi)}, nil
}

func openFile(path string, want []Kind) (*DB, stamp, error) {
	st, err := stampOf(path)
	if err != nil {
		return nil, st, err
	}
	db, err := Open(path)
	if err != nil {
		return nil, st, err
	}
	if !slices.Contains(want, db.kind) {
		db.Close()
		return nil, st, fmt.Errorf("%s is a %s database (type %q), not a %s one", path, db.kind, db.Type(), kindsText(want))
	}
	return db, st, nil
}

func kindsText(ks []Kind) string {
	s := ""
	for i, k := range ks {
		if i > 0 {
			s += " or "
		}
		s += k.String()
	}
	return s
}

// reload opens the file again if it changed since it was last opened or
// tried (or always, with force) and swaps it in. A file that cannot be
// opened leaves the current one serving.
func (f *file) reload(force bool) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false, nil
	}
	st, err := stampOf(f.path)
	if err != nil {
		return false, err
	}
	if st == f.seen && !force {
		return false, nil
	}
	f.seen = st
	db, st, err := openFile(f.path, f.want)
	if err != nil {
		return false, err
	}
	f.seen = st
	if old := f.cur.Swap(db); old != nil {
		old.release()
	}
	return true, nil
}

// acquire is the current database with a reference taken; release it.
func (f *file) acquire() *DB {
	for {
		db := f.cur.Load()
		if db == nil || db.acquire() {
			return db
		}
		// Retired between the load and the reference: the next load
		// sees its replacement.
	}
}

// Set is the location and network databases, read together.
type Set struct {
	location []*file // tried in order; the first that knows an address answers
	network  []*file
	log      *slog.Logger
	closed   atomic.Bool
}

// OpenSet opens the location databases (City or Country) and the network
// databases (ASN). Several files of one kind are tried in order: the
// @ip-location-db packages ship IPv4 and IPv6 in separate files. log
// (nil for none) hears of reloads.
func OpenSet(location, network []string, log *slog.Logger) (*Set, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Set{log: log}
	add := func(paths []string, want []Kind) (out []*file, err error) {
		for _, p := range paths {
			db, st, err := openFile(p, want)
			if err != nil {
				return out, err
			}
			f := &file{path: p, want: want, seen: st}
			f.cur.Store(db)
			out = append(out, f)
		}
		return out, nil
	}
	var err error
	if s.location, err = add(location, []Kind{City, Country}); err != nil {
		s.Close()
		return nil, err
	}
	if s.network, err = add(network, []Kind{ASN}); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Lookup is what the databases know of a; an IPv4-mapped IPv6 address
// is looked up as its IPv4 address. A nil Set knows nothing.
func (s *Set) Lookup(a netip.Addr) Record {
	var rec Record
	if s == nil || !a.IsValid() {
		return rec
	}
	a = a.Unmap().WithZone("")
	s.first(s.location, a, &rec)
	s.first(s.network, a, &rec)
	return rec
}

func (s *Set) first(files []*file, a netip.Addr, rec *Record) {
	for _, f := range files {
		db := f.acquire()
		if db == nil {
			continue
		}
		ok, err := db.find(a, rec)
		db.release()
		if err != nil {
			s.log.Warn("geo lookup failed", "file", f.path, "addr", a.String(), "err", err)
		}
		if ok {
			return
		}
	}
}

// HasLocation is whether a location database is open.
func (s *Set) HasLocation() bool { return s != nil && len(s.location) > 0 }

// HasNetwork is whether a network database is open.
func (s *Set) HasNetwork() bool { return s != nil && len(s.network) > 0 }

// Sources are the data sets of every open database, each once.
func (s *Set) Sources() []Source {
	var out []Source
	if s == nil {
		return nil
	}
	for _, f := range append(slices.Clip(s.location), s.network...) {
		db := f.acquire()
		if db == nil {
			continue
		}
		for _, src := range db.sources {
			if !slices.Contains(out, src) {
				out = append(out, src)
			}
		}
		db.release()
	}
	return out
}

// Reload opens again every file that changed since it was opened (every
// file, with force, as for SIGHUP). A file that cannot be opened is
// logged and the database it would replace goes on serving.
func (s *Set) Reload(force bool) error {
	if s == nil || s.closed.Load() {
		return nil
	}
	var errs []error
	for _, f := range append(slices.Clip(s.location), s.network...) {
		changed, err := f.reload(force)
		switch {
		case err != nil:
			s.log.Error("geo database not reloaded: the one loaded before goes on serving", "file", f.path, "err", err)
			errs = append(errs, err)
		case changed:
			db := f.cur.Load()
			s.log.Info("geo database reloaded", "file", f.path, "kind", db.kind.String(), "type", db.Type())
		}
	}
	return errors.Join(errs...)
}

// Watch polls the files every interval and reloads those that changed,
// until ctx is done.
func (s *Set) Watch(ctx context.Context, every time.Duration) {
	if s == nil || every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.Reload(false)
		}
	}
}

// Close unmaps every file once the lookups in flight are done. Lookups
// after Close find nothing.
func (s *Set) Close() error {
	if s == nil || s.closed.Swap(true) {
		return nil
	}
	for _, f := range append(slices.Clip(s.location), s.network...) {
		f.mu.Lock()
		f.closed = true
		if db := f.cur.Swap(nil); db != nil {
			db.release()
		}
		f.mu.Unlock()
	}
	return nil
}
