package catalog

import "strconv"

// Status is a code's registration status.
type Status string

// Registration statuses: the IANA registry's, plus Unofficial for codes
// outside it.
const (
	StatusPermanent   Status = "permanent"
	StatusProvisional Status = "provisional"
	StatusDeprecated  Status = "deprecated"
	StatusReserved    Status = "reserved"
	StatusObsoleted   Status = "obsoleted"
	StatusUnofficial  Status = "unofficial"
)

func (s Status) registered() bool {
	switch s {
	case StatusPermanent, StatusProvisional, StatusDeprecated, StatusReserved, StatusObsoleted:
		return true
	}
	return false
}

// Retry says whether a client may repeat a request that got this code.
type Retry string

// Retry advice.
const (
	RetryNA          Retry = "n/a"          // nothing to retry (1xx, 2xx, 3xx)
	RetryNo          Retry = "no"           // the same request gets the same answer
	RetryAfterChange Retry = "after-change" // only after changing credentials, input or state
	RetryAfterDelay  Retry = "after-delay"  // the same request may succeed later
)

func (r Retry) valid() bool {
	switch r {
	case RetryNA, RetryNo, RetryAfterChange, RetryAfterDelay:
		return true
	}
	return false
}

// Section IDs, in the order a page has them.
const (
	SecShort      = "in-short"
	SecMeaning    = "meaning"
	SecUsedFor    = "commonly-used-for"
	SecCauses     = "common-causes"
	SecFix        = "how-to-fix"
	SecExample    = "example"
	SecHeaders    = "headers"
	SecCaching    = "caching-and-retries"
	SecRelated    = "related"
	SecInCode     = "in-code"
	SecFAQ        = "faq"
	subVisitors   = "For visitors"
	subDevelopers = "For developers"
)

// sectionOrder lists every allowed top-level section with its exact title.
var sectionOrder = []struct {
	ID, Title string
	Optional  bool
}{
	{SecShort, "In short", false},
	{SecMeaning, "Meaning", false},
	{SecUsedFor, "Commonly used for", false},
	{SecCauses, "Common causes", false},
	{SecFix, "How to fix", false},
	{SecExample, "Example", false},
	{SecHeaders, "Headers", false},
	{SecCaching, "Caching and retries", false},
	{SecRelated, "Related", false},
	{SecInCode, "In code", false},
	{SecFAQ, "FAQ", false},
}

// Entry is one status code's page.
type Entry struct {
	Code      int
	Name      string   // as registered (or as in the unofficial table)
	Aka       []string // other names it is known by
	Class     string   // "4xx"
	Reference string   // "RFC 9110, Section 15.5.10"; empty for unofficial codes
	SpecURL   string
	Status    Status
	Origin    string // who uses an unofficial code
	DocsURL   string
	Related   []int
	Cacheable bool // heuristically cacheable (RFC 9110 Section 15.1)
	Retry     Retry
	Summary   string
	Draft     bool // a minimal page; sections may be missing

	Sections []Section // in page order
	FAQ      []QA
	Short    *Short // the answer first: nil when the page has no "In short"
	Example  Example
	File     string // path inside the content file system
}

// Section is one "##" section of a page, as Markdown.
type Section struct {
	ID       string
	Title    string
	Markdown string // the body below the heading
	Line     int    // line of the heading in File
	bodyLine int    // line of the first line of Markdown
}

// Short is a page's answer first, from its "In short" section: the most
// likely cause and the first things to do, each a line of Markdown.
type Short struct {
	Cause      string
	Visitors   []string
	Developers []string
}

// Limits of an "In short" section: it must fit a phone's first screen
// under the lead sentence.
const (
	shortMaxBullets = 4   // visitors' and developers' together
	shortMaxLen     = 200 // bytes of Markdown in the cause or a bullet
)

// QA is one FAQ question with its Markdown answer.
type QA struct {
	Question string
	Answer   string
}

// Example is the raw HTTP exchange of a page, with "\n" line ends.
type Example struct {
	Request  string `json:"request"`
	Response string `json:"response"`
}

// Title is the name people know the code by: the registered name, unless
// that is a placeholder such as "(Unused)" and the code has a popular name.
func (e *Entry) Title() string {
	if len(e.Name) > 0 && e.Name[0] == '(' && len(e.Aka) > 0 {
		return e.Aka[0]
	}
	return e.Name
}

// CodeString is the code as three digits.
func (e *Entry) CodeString() string { return strconv.Itoa(e.Code) }

// Section returns the section with the given ID, if the page has it.
func (e *Entry) Section(id string) (Section, bool) {
	for _, s := range e.Sections {
		if s.ID == id {
			return s, true
		}
	}
	return Section{}, false
}

// Official reports whether the code is in the IANA registry.
func (e *Entry) Official() bool { return e.Status != StatusUnofficial }
