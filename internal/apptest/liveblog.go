package apptest

import (
	"net/url"
	"strconv"

	"khabar/internal/news"
)

func ArticleURL(a *news.Article) string {
	return "/news/" + strconv.FormatInt(a.ID, 10) + "/" + url.PathEscape(a.Slug)
}
