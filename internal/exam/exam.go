package exam

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/teapothq/teapot/internal/clientip"
	"github.com/teapothq/teapot/internal/lab/store"
	"github.com/teapothq/teapot/internal/ratelimit"
	"github.com/teapothq/teapot/internal/web"
)

// Store is what the exam keeps its runs and journals in; lab/store's
// SQLite and PostgreSQL stores implement it (store.Exams documents each
// method), and tests may use a fake.
type Store interface {
	CreateExamRun(ctx context.Context, r store.ExamRun, maxRuns int) error
	ExamRun(ctx context.Context, id string, now time.Time) (store.ExamRun, error)
	AppendExamEntry(ctx context.Context, run, check string, now time.Time, maxRequests int,
		record func(n int, started time.Time) ([]byte, error)) (store.ExamEntry, error)
	ExamEntries(ctx context.Context, run string) ([]store.ExamEntry, error)
	SweepExamRuns(ctx context.Context, now time.Time) (int, error)
}

// Options configure the exam. Zero fields take the defaults below.
type Options struct {
	Store       Store
	TTL         time.Duration // a run expires this long after it starts
	RunsPerHour int           // runs one client may start an hour, all at once if it likes
	MaxRuns     int           // runs kept at once, in all
	MaxRequests int           // requests one run journals
	MaxBody     int           // request body bytes read (and hashed) per request
	Tolerance   time.Duration // how much sooner than asked a wait may be and still pass
	// AltOrigin is another origin of this server (or of one sharing its
	// database), such as https://alt.teapot.example, for the
	// cross-origin-auth check; "" skips that check.
	AltOrigin string
	// PublicURL is the origin the app is served at: the /exam page's form
	// may post from it behind a proxy that rewrites Host.
	PublicURL string
	// ClientAddr is the key a client's runs are counted under;
	// clientip.PeerKey (the TCP peer, an IPv6 one by its /64) when nil.
	ClientAddr func(*http.Request) string
	// Shared, when set, counts a client's new runs in Redis for every
	// instance, falling back to this process's count while it is away.
	Shared *ratelimit.Redis
	Log    *slog.Logger
	// Now is the clock; when nil, the wall clock at start advanced by the
	// monotonic clock, so that no step of the wall clock moves a
	// journal's times.
	Now func() time.Time
}

// Defaults for the zero Options fields.
const (
	DefaultTTL         = time.Hour
	DefaultRunsPerHour = 20
	DefaultMaxRuns     = 200
	DefaultMaxRequests = 500
	DefaultMaxBody     = 64 << 10
	DefaultTolerance   = 150 * time.Millisecond
)

// RecordBytes is the most one journal record takes as stored JSON, every
// recorded field at its longest: what the app sizes the SQLite file's
// room for the exam by.
const RecordBytes = 1280

// Exam serves the client exam.
type Exam struct {
	opts     Options
	runs     ratelimit.Bucket
	sameSite *http.CrossOriginProtection

	shell   *web.Shell         // once AddPage ran
	page    *web.Doc           // the /exam page
	report  *template.Template // a run's report as HTML
	clients *clientPages       // the published client table's pages
}

// New makes the exam on opts.Store. It panics on an AltOrigin or PublicURL
// that is not an origin: the app validates them first.
func New(opts Options) *Exam {
	if opts.TTL <= 0 {
		opts.TTL = DefaultTTL
	}
	if opts.RunsPerHour <= 0 {
		opts.RunsPerHour = DefaultRunsPerHour
	}
	if opts.MaxRuns <= 0 {
		opts.MaxRuns = DefaultMaxRuns
	}
	if opts.MaxRequests <= 0 {
		opts.MaxRequests = DefaultMaxRequests
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.Tolerance <= 0 {
		opts.Tolerance = DefaultTolerance
	}
	if opts.ClientAddr == nil {
		opts.ClientAddr = clientip.PeerKey
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = monotonic()
	}
	sameSite := http.NewCrossOriginProtection()
	if opts.PublicURL != "" {
		if err := sameSite.AddTrustedOrigin(opts.PublicURL); err != nil {
			panic("exam.New: PublicURL: " + err.Error())
		}
	}
	rate := float64(opts.RunsPerHour) / 3600
	local := ratelimit.New(rate, opts.RunsPerHour, maxClients, opts.Now)
	return &Exam{opts: opts, sameSite: sameSite, runs: opts.Shared.Bucket("exam-runs", rate, opts.RunsPerHour, local)}
}

// maxClients bounds the clients whose runs are counted; past it the least
// recently seen start again with a full allowance, which MaxRuns still
// bounds.
const maxClients = 100_000

// monotonic is a clock that reads the wall clock once and then advances
// by the monotonic clock.
func monotonic() func() time.Time {
	base := time.Now()
	wall := base.Round(0) // the wall reading alone
	return func() time.Time { return wall.Add(time.Since(base)) }
}

// Register adds the exam's routes to mux: the pages (once AddPage has
// made them: /exam and the published client table), starting a run, its
// report, and its checks' URLs, which take every common method (TRACE
// gets a 405).
func (e *Exam) Register(mux *web.Mux) {
	if e.page != nil {
		mux.HandleFunc("GET /exam", e.servePage)
		mux.HandleFunc("GET /exam.json", e.servePage)
		mux.HandleFunc("GET /exam.txt", e.servePage)
		mux.HandleFunc("GET /exam/clients", e.serveClients)
		mux.HandleFunc("GET /exam/clients.json", e.serveClients)
		mux.HandleFunc("GET /exam/clients.txt", e.serveClients)
		mux.HandleFunc("GET /exam/clients/{client}/{check}", e.serveClientCell)
	}
	mux.HandleFunc("POST /exam", e.handle(e.serveCreate))
	mux.HandleFunc("GET /exam/{id}", e.handle(e.serveReport))
	check := e.handle(e.serveCheck)
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
		mux.HandleFunc(m+" /exam/{id}/{check}", check)
		mux.HandleFunc(m+" /exam/{id}/{check}/{step}", check)
	}
}

// Sweep removes expired runs every interval until ctx ends.
func (e *Exam) Sweep(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := e.opts.Store.SweepExamRuns(ctx, e.opts.Now())
			if err != nil && ctx.Err() == nil {
				e.opts.Log.Error("exam: removing expired runs", "err", err)
			} else if n > 0 {
				e.opts.Log.Info("exam: removed expired runs", "count", n)
			}
		}
	}
}

// Run ids are 128 random bits, in lower-case hex.
const idLen = 32

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func validID(s string) bool {
	if len(s) != idLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// settings are what a run keeps of the options it started with.
type settings struct {
	ToleranceUS int64  `json:"tolerance_us"`
	AltOrigin   string `json:"alt_origin,omitempty"`
}
