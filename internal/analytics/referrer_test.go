package analytics

import (
	"net/http"
	"testing"
)

func TestGroup(t *testing.T) {
	for _, c := range []struct{ ref, want string }{
		{"", Direct},
		{"https://khabar.example/section/politics", Internal},
		{"https://www.khabar.example/", Internal},
		{"https://KHABAR.example./news/1", Internal},
		{"android-app://com.whatsapp/", WhatsApp},
		{"android-app://com.whatsapp.w4b", WhatsApp},
		{"https://web.whatsapp.com/", WhatsApp},
		{"https://wa.me/", WhatsApp},
		{"https://l.wl.co/l?u=https://khabar.example", Other}, // WhatsApp's link shim names no one
		{"android-app://org.telegram.messenger/", Telegram},
		{"https://t.me/khabar_news/1234", Telegram},
		{"https://web.telegram.org/", Telegram},
		{"https://l.facebook.com/", Facebook},
		{"https://lm.facebook.com/l.php?u=https%3A%2F%2Fkhabar.example", Facebook},
		{"https://m.facebook.com/", Facebook},
		{"http://www.facebook.com/", Facebook},
		{"android-app://com.facebook.katana/", Facebook},
		{"android-app://com.facebook.orca", Facebook},
		{"https://t.co/AbCdEf123", X},
		{"https://x.com/", X},
		{"https://mobile.twitter.com/", X},
		{"android-app://com.twitter.android/", X},
		{"https://www.google.com/", Google},
		{"https://www.google.com.sa/", Google},
		{"https://www.google.ae/", Google},
		{"https://google.co.uk/", Google},
		{"https://news.google.com/", GoogleNews},
		{"https://news.google.com/articles/CBMiX2h0dHBz?hl=ar&gl=SA&ceid=SA%3Aar", GoogleNews},
		{"android-app://com.google.android.googlequicksearchbox/https/www.google.com", GoogleNews},
		{"android-app://com.google.android.apps.magazines", GoogleNews},
		{"https://mail.google.com/", Other},
		{"https://www.google.example.org/", Other},
		{"https://googlex.com/", Other},
		{"android-app://com.google.android.gm/", Other},
		{"https://www.bing.com/search?q=%D8%AE%D8%A8%D8%B1", Other},
		{"https://www.aljazeera.net/news/", Other},
		{"https://notfacebook.com/", Other},
		{"https://facebook.com.evil.example/", Other},
		{"ftp://t.me/", Other},
		{"javascript:alert(1)", Other},
		{"http://[::1", Other},
		{"https://", Direct},
	} {
		if got := Group(c.ref, "khabar.example"); got != c.want {
			t.Errorf("Group(%q) = %q, want %q", c.ref, got, c.want)
		}
	}
}

func TestBots(t *testing.T) {
	const chrome = "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
	for _, c := range []struct {
		name   string
		ua     string
		header http.Header
		bot    bool
	}{
		{"a phone's Chrome", chrome, nil, false},
		{"an iPhone's Safari", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", nil, false},
		{"Firefox", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", nil, false},
		{"Googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", nil, true},
		{"Googlebot smartphone", "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", nil, true},
		{"Bingbot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36", nil, true},
		{"headless Chrome", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", nil, true},
		{"Lighthouse", "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse", nil, true},
		{"Facebook's preview", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", nil, true},
		{"WhatsApp's preview", "WhatsApp/2.23.20.0", nil, true},
		{"Telegram's preview", "TelegramBot (like TwitterBot)", nil, true},
		{"Yandex", "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", nil, true},
		{"Applebot", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)", nil, true},
		{"curl", "curl/8.5.0", nil, true},
		{"no User-Agent", "", nil, true},
		{"Go's client", "Go-http-client/1.1", nil, true},
		{"python", "python-requests/2.31.0", nil, true},
		{"Chrome's prefetch", chrome, http.Header{"Sec-Purpose": {"prefetch"}}, true},
		{"Chrome's prerender", chrome, http.Header{"Sec-Purpose": {"prefetch;prerender"}}, true},
		{"an old prefetch", chrome, http.Header{"Purpose": {"prefetch"}}, true},
		{"Firefox's prefetch", chrome, http.Header{"X-Moz": {"prefetch"}}, true},
	} {
		if got := Crawler(c.ua) || Prefetch(c.header); got != c.bot {
			t.Errorf("%s: a bot %v, want %v", c.name, got, c.bot)
		}
	}
}
