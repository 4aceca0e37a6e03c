package lab

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/teapothq/teapot/internal/lab/store"
	"github.com/teapothq/teapot/internal/respond"
)

// Media types of request bodies.
const (
	typeJSON       = "application/json"
	typeMergePatch = "application/merge-patch+json"
)

// Limits on an article's fields, besides Options.MaxBody.
const (
	maxSlug  = 64
	maxTitle = 200
)

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// readBody reads a request body of media type want, at most limit bytes.
// acceptHeader (Accept-Post or Accept-Patch) names want on a 415.
func (l *Lab) readBody(w http.ResponseWriter, r *http.Request, want, acceptHeader string) ([]byte, *respond.Problem) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != want || (params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
		if acceptHeader != "" {
			w.Header().Set(acceptHeader, want)
		}
		return nil, &respond.Problem{Status: http.StatusUnsupportedMediaType, Title: "Unsupported Media Type",
			Detail: "Send the body as " + want + " (UTF-8); this request's Content-Type was " + strconv.Quote(respond.Truncate(r.Header.Get("Content-Type"), 100)) + "."}
	}
	limit := l.requestLimit()
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, int64(limit)))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, l.tooLarge("This request's body is over the limit of " + strconv.Itoa(limit) + " bytes.")
		}
		return nil, badRequest("The request body could not be read: "+err.Error(), nil)
	}
	if !utf8.Valid(data) {
		return nil, badRequest("The request body is not valid UTF-8.", nil)
	}
	return data, nil
}

// requestLimit is the largest request body: room for a full article body
// with every character escaped as two bytes, plus the other fields.
func (l *Lab) requestLimit() int { return 2*l.opts.MaxBody + 16<<10 }

func (l *Lab) tooLarge(detail string) *respond.Problem {
	return &respond.Problem{Status: http.StatusRequestEntityTooLarge, Title: "Content Too Large",
		Detail: detail + " An article's body may hold " + strconv.Itoa(l.opts.MaxBody) + " bytes, a request " + strconv.Itoa(l.requestLimit()) + ".",
		Extra:  map[string]any{"limit": l.opts.MaxBody, "request_limit": l.requestLimit()}}
}

// input is what a request body says. Nil members were not sent.
type input struct {
	slug, title, body, state *string
	version, id              *int64
}

// parseInput reads a JSON object strictly: no duplicate or unknown
// members, no wrong types, nothing after it. In a merge patch (RFC 7396)
// null removes a member, which no member of an article allows.
func parseInput(data []byte, patch bool) (input, *respond.Problem) {
	var in input
	var errs []fieldError
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return in, badRequest("The body must be a JSON object, such as {\"slug\": \"hello\", \"title\": \"Hello\", \"body\": \"...\"}.", nil)
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return in, badRequest("The body is not valid JSON: "+err.Error(), nil)
		}
		key := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return in, badRequest("The body is not valid JSON: "+err.Error(), nil)
		}
		if seen[key] {
			errs = append(errs, fieldError{key, "appears twice"})
			continue
		}
		seen[key] = true
		if patch && string(raw) == "null" {
			switch key {
			case "slug", "title", "body", "version":
				errs = append(errs, fieldError{key, "cannot be removed (null): every article has one"})
				continue
			}
		}
		switch key {
		case "slug":
			in.slug = decodeString(raw, key, &errs)
		case "title":
			in.title = decodeString(raw, key, &errs)
		case "body":
			in.body = decodeString(raw, key, &errs)
		case "state":
			in.state = decodeString(raw, key, &errs)
		case "version":
			in.version = decodeInt(raw, key, &errs)
		case "id":
			in.id = decodeInt(raw, key, &errs)
		case "etag", "created", "updated", "links":
			// Read-only members of the representation: a client may send
			// back what it read.
		default:
			errs = append(errs, fieldError{respond.Truncate(key, 64), "unknown member; an article has slug, title and body (and version, to say which version you edited)"})
		}
	}
	if _, err := dec.Token(); err != nil {
		return in, badRequest("The body is not valid JSON: "+err.Error(), nil)
	}
	if _, err := dec.Token(); err != io.EOF {
		return in, badRequest("The body holds something after its JSON object.", nil)
	}
	if in.state != nil {
		switch store.State(*in.state) {
		case store.Draft, store.Published, store.Archived:
		default:
			errs = append(errs, fieldError{"state", "must be draft, published or archived (and is changed only by the transition links)"})
		}
	}
	if len(errs) > maxErrors {
		errs = append(errs[:maxErrors], fieldError{"", "and " + strconv.Itoa(len(errs)-maxErrors) + " more"})
	}
	if len(errs) > 0 {
		return in, badRequest("Some members of the body are not right; \"errors\" lists them.", errs)
	}
	return in, nil
}

// maxErrors is the most field errors one problem lists.
const maxErrors = 20

func decodeString(raw json.RawMessage, key string, errs *[]fieldError) *string {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		*errs = append(*errs, fieldError{key, "must be a string"})
		return nil
	}
	return &s
}

func decodeInt(raw json.RawMessage, key string, errs *[]fieldError) *int64 {
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil || n < 1 {
		*errs = append(*errs, fieldError{key, "must be a whole number from 1"})
		return nil
	}
	return &n
}

// fields checks the article's content and returns it; base fills the
// members in that were not sent (a merge patch), or nil when all three are
// required (create and PUT).
func (l *Lab) fields(in input, base *store.Article) (store.Fields, *respond.Problem) {
	var f store.Fields
	var errs []fieldError
	pick := func(name string, v *string, old string) string {
		switch {
		case v != nil:
			return *v
		case base != nil:
			return old
		}
		errs = append(errs, fieldError{name, "is required"})
		return ""
	}
	var b store.Article
	if base != nil {
		b = *base
		f.State = b.State
	}
	f.Slug = pick("slug", in.slug, b.Slug)
	f.Title = pick("title", in.title, b.Title)
	f.Body = pick("body", in.body, b.Body)
	if in.slug != nil && (len(f.Slug) > maxSlug || !slugRE.MatchString(f.Slug)) {
		errs = append(errs, fieldError{"slug", "must be 1 to " + strconv.Itoa(maxSlug) + " lowercase letters, digits and single hyphens, such as \"hello-world\""})
	}
	if in.title != nil {
		if msg := checkText(f.Title, maxTitle, false); msg != "" {
			errs = append(errs, fieldError{"title", msg})
		} else if strings.TrimSpace(f.Title) == "" {
			errs = append(errs, fieldError{"title", "must not be empty"})
		}
	}
	if in.body != nil && len(f.Body) > l.opts.MaxBody {
		return f, l.tooLarge("The body member is " + strconv.Itoa(len(f.Body)) + " bytes long.")
	}
	if in.body != nil {
		if msg := checkText(f.Body, -1, true); msg != "" {
			errs = append(errs, fieldError{"body", msg})
		}
	}
	if len(errs) > 0 {
		return f, badRequest("Some members of the body are not right; \"errors\" lists them.", errs)
	}
	return f, nil
}

// checkText refuses control characters (line breaks and tabs only where
// multiline) and, with max >= 0, more than max characters.
func checkText(s string, max int, multiline bool) string {
	if max >= 0 && utf8.RuneCountInString(s) > max {
		return "must be at most " + strconv.Itoa(max) + " characters"
	}
	for _, c := range s {
		if multiline && (c == '\n' || c == '\t' || c == '\r') {
			continue
		}
		if unicode.IsControl(c) {
			return "must not hold control characters such as " + strconv.QuoteRune(c)
		}
	}
	return ""
}
