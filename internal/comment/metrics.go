package comment

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"khabar/internal/news"
)

// Decisions on submissions, as counted.
const (
	decisionApproved = "approved"
	decisionHeld     = "held"
	decisionSpam     = "spam"
	decisionRefused  = "refused"
)

func newDecisions() *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "khabar_comment_decisions_total",
		Help: "Reader comments submitted, by decision: approved (published), held (for moderation), spam (trap or spam status), refused (rules, limits, tokens, closed).",
	}, []string{"decision"})
}

// count records what Post decided. Bad fields and server errors are no
// decision.
func (s *Service) count(c *news.Comment, err error) {
	if s.decisions == nil {
		return
	}
	var refusal *Error
	switch {
	case err == nil && c.Status == news.CommentApproved:
		s.decisions.WithLabelValues(decisionApproved).Inc()
	case err == nil && c.Status == news.CommentSpam:
		s.decisions.WithLabelValues(decisionSpam).Inc()
	case err == nil:
		s.decisions.WithLabelValues(decisionHeld).Inc()
	case errors.As(err, &refusal) && refusal.Code == CodeSpam:
		s.decisions.WithLabelValues(decisionSpam).Inc()
	case errors.As(err, &refusal):
		s.decisions.WithLabelValues(decisionRefused).Inc()
	}
}

// Collectors are the comment service's metrics.
func (s *Service) Collectors() []prometheus.Collector { return []prometheus.Collector{s.decisions} }
