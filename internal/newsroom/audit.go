package newsroom

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"khabar/internal/news"
	"khabar/internal/web"
)

// auditPage is a page of the audit log, in the newsroom's language.
type auditPage struct {
	Entries []auditRow
	PrevURL string
	NextURL string
}

// auditRow is an audit entry as an editor reads it: «نشر خبر», «خبر ٣٤»
// linking to it, «بانتظار المراجعة ← منشورة», not the stored codes.
type auditRow struct {
	At                 time.Time
	Who                string // "" for the system
	Action, Code       string // the action's words, and its code
	Target, TargetLink string
	Detail             string
}

const auditPerPage = 100

// audit is GET /admin/audit: who did what, for admins.
func (n *Newsroom) audit(w http.ResponseWriter, r *http.Request) {
	page, ok := web.PageNumber(r)
	if !ok {
		n.Error(w, r, http.StatusBadRequest)
		return
	}
	entries, err := n.store.AuditLog(r.Context(), auditPerPage+1, (page-1)*auditPerPage)
	if err != nil {
		n.fail(w, r, fmt.Errorf("read audit log: %w", err))
		return
	}
	p := &auditPage{}
	if len(entries) > auditPerPage {
		entries, p.NextURL = entries[:auditPerPage], "/admin/audit?page="+strconv.Itoa(page+1)
	}
	if page > 1 {
		p.PrevURL = "/admin/audit?page=" + strconv.Itoa(page-1)
	}
	for _, e := range entries {
		p.Entries = append(p.Entries, n.auditRow(e))
	}
	n.render(w, http.StatusOK, "audit", &data{User: userFrom(r.Context()), Title: n.cat.T("admin_audit"), Page: p})
}

// commandLine is how the command line signs what it does in the log.
const commandLine = "(command line)"

func (n *Newsroom) auditRow(e news.AuditEntry) auditRow {
	row := auditRow{At: e.At, Who: e.Name, Code: e.Action, Action: e.Action, Target: e.Target, Detail: n.auditWords(e.Detail)}
	if row.Who == commandLine {
		row.Who = n.cat.T("audit_command_line")
	}
	if key := "audit_act_" + strings.ReplaceAll(e.Action, ".", "_"); n.cat.Has(key) {
		row.Action = n.cat.T(key)
	}
	// Targets are "kind id": the newsroom names the kind and, where it
	// has a page, links to it.
	if name, kind := n.kindAndNumber(e.Target); name != "" {
		row.Target = name
		id := e.Target[len(kind)+1:]
		switch kind {
		case "article":
			row.TargetLink = "/admin/articles/" + id
		case "section":
			row.TargetLink = "/admin/sections/" + id
		case "page":
			row.TargetLink = "/admin/pages/" + id
		case "media":
			row.TargetLink = "/admin/media/" + id
		case "author":
			row.TargetLink = "/admin/authors/" + id
		case "ticker":
			row.TargetLink = "/admin/ticker/" + id
		case "user":
			row.TargetLink = "/admin/users/" + id + "/sessions"
		case "newsletter":
			row.TargetLink = "/admin/newsletters/" + id
		case "newsletter_issue":
			row.TargetLink = "/admin/newsletter-issues/" + id
		}
	}
	return row
}

// kindAndNumber reads "article 34" as «خبر ٣٤» (and its kind), or "" for
// text of another shape.
func (n *Newsroom) kindAndNumber(s string) (name, kind string) {
	kind, id, ok := strings.Cut(s, " ")
	num, err := strconv.Atoi(id)
	if !ok || err != nil || num <= 0 || !n.cat.Has("audit_kind_"+kind) {
		return "", ""
	}
	return n.cat.T("audit_kind_"+kind) + " " + n.settings.Get().Digits.Int(num), kind
}

// auditWords turns the codes a detail is made of (states, roles, the
// command line) into the catalogue's words, leaving the rest as written.
func (n *Newsroom) auditWords(detail string) string {
	// "code:n:m…" is a catalogue sentence (audit_detail_code) taking the
	// numbers, as the burst of failed logins writes its counts.
	if code, rest, ok := strings.Cut(detail, ":"); ok && n.cat.Has("audit_detail_"+code) {
		var args []any
		for _, v := range strings.Split(rest, ":") {
			num, err := strconv.Atoi(v)
			if err != nil {
				return detail
			}
			args = append(args, n.settings.Get().Digits.Int(num))
		}
		return n.cat.T("audit_detail_"+code, args...)
	}
	detail = strings.ReplaceAll(detail, commandLine, "("+n.cat.T("audit_command_line")+")")
	parts := strings.Split(detail, " → ")
	for i, p := range parts {
		for _, prefix := range []string{"ctab_", "role_"} {
			if n.cat.Has(prefix + p) {
				parts[i] = n.cat.T(prefix + p)
				break
			}
		}
		if name, _ := n.kindAndNumber(p); name != "" {
			parts[i] = name
		}
	}
	return strings.Join(parts, n.cat.T("audit_to"))
}
