package alert

import "strings"

// WhatsAppText is the alert as an editor pastes it into the outlet's
// WhatsApp channel, which has no posting API: the title in bold (*…*), the
// text, and the link last so WhatsApp shows its preview. Asterisks inside
// the title would end the bold early, so they are dropped, and the title
// is kept on one line for the same reason.
func WhatsAppText(a *Alert) string {
	title := strings.Join(strings.Fields(strings.ReplaceAll(a.Title, "*", "")), " ")
	var b strings.Builder
	if title != "" {
		b.WriteString("*" + title + "*\n\n")
	}
	if text := strings.TrimSpace(a.Text); text != "" {
		b.WriteString(text + "\n\n")
	}
	b.WriteString(a.URL)
	return b.String()
}
