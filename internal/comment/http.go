package comment

import (
	"errors"
	"net/http"
	"strconv"

	"khabar/internal/news"
)

// FromForm reads a comment as the form (or the API's JSON, through get)
// carries it.
func FromForm(articleID int64, ip string, get func(string) string) Submission {
	parent, _ := strconv.ParseInt(get("parent_id"), 10, 64)
	return Submission{ArticleID: articleID, ParentID: max(parent, 0), Name: get("name"), Email: get("email"), Body: get("body"),
		Notify: get("notify") == "on" || get("notify") == "true", Token: get("token"), Honeypot: get("website"), IP: ip}
}

// HTTPStatus is the status that answers err from Post or Report.
func HTTPStatus(err error) int {
	var ce *Error
	switch {
	case news.IsInvalid(err):
		return http.StatusUnprocessableEntity
	case !errors.As(err, &ce):
		return http.StatusInternalServerError
	}
	switch ce.Code {
	case CodeRateIP, CodeRateArticle, CodeTooFast:
		return http.StatusTooManyRequests
	case CodeNotFound:
		return http.StatusNotFound
	case CodeBanned, CodeClosed, CodeSpam, CodeBlocked:
		return http.StatusForbidden
	case CodeParentGone:
		return http.StatusConflict
	}
	return http.StatusBadRequest
}
