package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// ninjsText is a headline, description or body of ninjs 2.x and 3.x.
type ninjsText struct {
	Role        string `json:"role"`
	ContentType string `json:"contenttype"`
	Value       string `json:"value"`
}

type ninjsConcept struct {
	Name    string `json:"name"`
	URI     string `json:"uri"`
	Literal string `json:"literal"`
	Code    string `json:"code"` // 1.x
}

// ninjsIn is what the desk reads of a ninjs document of any version:
// encoding/json matches keys without regard to case, so 2.x's
// versioncreated and 3.x's versionCreated fill the same field; 1.x's
// singular names have their own.
type ninjsIn struct {
	URI             string          `json:"uri"`
	Type            string          `json:"type"`
	Version         json.RawMessage `json:"version"`
	VersionCreated  string          `json:"versioncreated"`
	FirstCreated    string          `json:"firstcreated"`
	Embargoed       string          `json:"embargoed"`
	EmbargoedUntil  string          `json:"embargoeduntil"`
	PubStatus       string          `json:"pubstatus"`
	Urgency         *float64        `json:"urgency"`
	CopyrightHolder string          `json:"copyrightholder"`
	EdNote          string          `json:"ednote"`
	Language        string          `json:"language"`
	Headlines       []ninjsText     `json:"headlines"`
	Descriptions    []ninjsText     `json:"descriptions"`
	Bodies          []ninjsText     `json:"bodies"`
	Subjects        []ninjsConcept  `json:"subjects"`
	InfoSources     []ninjsConcept  `json:"infosources"`
	By              string          `json:"by"`
	Slugline        string          `json:"slugline"`
	Located         string          `json:"located"`
	// ninjs 1.x.
	Headline        string         `json:"headline"`
	Byline          string         `json:"byline"`
	BodyHTML        string         `json:"body_html"`
	BodyText        string         `json:"body_text"`
	DescriptionText string         `json:"description_text"`
	Subject         []ninjsConcept `json:"subject"`
}

// parseNinjs reads a ninjs document.
func parseNinjs(data []byte) (Item, error) {
	var in ninjsIn
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&in); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return Item{}, refuse(ReasonMalformed, "ninjs property %s: %s where %s was expected", typeErr.Field, typeErr.Value, typeErr.Type)
		}
		return Item{}, refuse(ReasonMalformed, "not valid JSON: %v", err)
	}
	if dec.More() {
		return Item{}, refuse(ReasonMalformed, "more than one JSON value in the file")
	}
	it := Item{Format: FormatNinjs, GUID: in.URI, Copyright: in.CopyrightHolder, EdNote: in.EdNote, Language: in.Language,
		Byline: firstOf(in.By, in.Byline), Slugline: in.Slugline, Located: in.Located, Status: statusOf(in.PubStatus)}
	if strings.TrimSpace(in.URI) == "" {
		return Item{}, refuse(ReasonNoGUID, "the document has no uri: it is not a ninjs news object")
	}
	switch in.Type {
	case "", "text", "composite":
	default:
		return Item{}, refuse(ReasonNotText, "item %s is of type %s; the desk takes text", in.URI, in.Type)
	}
	it.Version = ninjsVersion(in.Version)
	var err error
	if it.VersionCreated, err = parseTime("versioncreated", in.VersionCreated); err != nil {
		return Item{}, err
	}
	if it.FirstCreated, err = parseTime("firstcreated", in.FirstCreated); err != nil {
		return Item{}, err
	}
	if it.Embargoed, err = parseTime("embargoed", firstOf(in.EmbargoedUntil, in.Embargoed)); err != nil {
		return Item{}, err
	}
	if in.Urgency != nil {
		u := *in.Urgency
		if u != float64(int(u)) || u < 0 || u > 9 {
			return Item{}, refuse(ReasonMalformed, "item %s: urgency %v is not 0 to 9", in.URI, u)
		}
		it.Urgency = int(u)
	}
	it.Headline = firstOf(mainValue(in.Headlines), in.Headline)
	it.Lead = firstOf(mainValue(in.Descriptions), in.DescriptionText)
	for _, b := range in.Bodies {
		if markup(b) && it.BodyHTML == "" {
			it.BodyHTML = b.Value
		} else if !markup(b) && it.BodyText == "" {
			it.BodyText = b.Value
		}
	}
	it.BodyHTML, it.BodyText = firstOf(it.BodyHTML, in.BodyHTML), firstOf(it.BodyText, in.BodyText)
	for _, s := range append(in.Subjects, in.Subject...) {
		sub := Subject{Code: strings.TrimSpace(firstOf(s.URI, s.Literal, s.Code)), Name: oneLine(s.Name)}
		if sub.Name == "" {
			sub.Name = sub.Code
		}
		if sub.Name != "" {
			it.Subjects = append(it.Subjects, sub)
		}
	}
	for _, s := range in.InfoSources {
		if it.Provider = firstOf(s.Name, s.Literal, s.URI); it.Provider != "" {
			break
		}
	}
	if it.Provider == "" {
		it.Provider = it.Copyright
	}
	return it, nil
}

// ninjsVersion reads version, a string in the schemas and a number in
// some agencies' files; one that is not a whole number orders nothing
// (0), and the desk orders such versions by their time.
func ninjsVersion(raw json.RawMessage) int64 {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		s = string(raw)
	}
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v < 0 {
		return 0
	}
	return v
}

// mainValue is the value with role main (or none), else the first.
func mainValue(ts []ninjsText) string {
	for _, t := range ts {
		if t.Role == "" || t.Role == "main" {
			return t.Value
		}
	}
	if len(ts) > 0 {
		return ts[0].Value
	}
	return ""
}

// markup says whether a body is HTML rather than plain text.
func markup(b ninjsText) bool {
	ct := strings.ToLower(b.ContentType)
	return strings.Contains(ct, "html") || strings.Contains(ct, "xml") || ct == "" && (b.Role == "html" || b.Role == "richtext")
}
