// Package session signs the bench/ programs in to a running khabar's
// newsroom, as its login form does.
package session

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Login signs in through the newsroom's form and returns the session
// cookie's value.
func Login(base, email, password string) (string, error) {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequest("POST", base+"/admin/login", strings.NewReader(url.Values{"email": {email}, "password": {password}}.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	res, err := c.Do(req)
	if err != nil {
		return "", err
	}
	res.Body.Close()
	for _, ck := range res.Cookies() {
		if ck.Name == "khabar_session" {
			return ck.Value, nil
		}
	}
	return "", fmt.Errorf("log in as %s: %s, no session", email, res.Status)
}
