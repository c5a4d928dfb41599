// Package session signs the bench/ programs in to a running khabar's
// newsroom, as its login form does.
package session

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Tab starts the chromium binary with opts added to chromedp's defaults
// and opens a tab signed in to base's newsroom; stop closes both.
func Tab(base, email, password, chromium string, opts ...chromedp.ExecAllocatorOption) (tab context.Context, stop func(), err error) {
	cookie, err := Login(base, email, password)
	if err != nil {
		return nil, nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, nil, err
	}
	opts = append(append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox), opts...)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancelTab := chromedp.NewContext(alloc)
	stop = func() { cancelTab(); cancelAlloc() }
	if _, err := chromedp.Call(tab, network.SetCookie, network.SetCookieParams{Name: "khabar_session", Value: cookie, Domain: u.Hostname(), Path: "/"}); err != nil {
		stop()
		return nil, nil, err
	}
	return tab, stop, nil
}

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
