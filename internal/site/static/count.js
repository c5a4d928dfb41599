// Behind a CDN the server never sees most page views, so the page reports
// itself: once, when it is shown (not while prerendered), with its path and
// referrer only. No cookie, no storage. See internal/analytics.
(function () {
  "use strict";
  if (!navigator.sendBeacon) return;
  function send() {
    navigator.sendBeacon("/count", JSON.stringify({ p: location.pathname, r: document.referrer }));
  }
  if (document.prerendering) {
    document.addEventListener("prerenderingchange", send, { once: true });
  } else {
    send();
  }
})();
