// "Be the first to know": Web Push subscription with topics. The button
// is enabled only where the browser can do it (on iPhone, once the site is
// on the Home Screen); the box itself is always laid out, so turning it on
// moves nothing on the page. The channel links work everywhere.
(function () {
  "use strict";
  var box = document.querySelector("[data-push]");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window) || !window.fetch) return;
  var on = box.querySelector(".push-on"), off = box.querySelector(".push-off"), status = box.querySelector(".push-status");
  on.disabled = false;
  function say(key) { status.textContent = box.dataset[key] || ""; }
  function b64(s) {
    var pad = "=".repeat((4 - s.length % 4) % 4), raw = atob((s + pad).replace(/-/g, "+").replace(/_/g, "/"));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function topics() {
    return Array.prototype.map.call(box.querySelectorAll("input[name=push_topic]:checked"), function (i) { return i.value; });
  }
  function show(subscribed) { on.hidden = subscribed; off.hidden = !subscribed; }
  // A browser that cannot reach its push service (blocked network, or
  // Chromium without Google's services) may never settle subscribe():
  // the reader is told it failed instead of waiting for ever.
  function within(ms, p) {
    return Promise.race([p, new Promise(function (_, fail) { setTimeout(function () { fail(new Error("timeout")); }, ms); })]);
  }
  // The service worker is installed only when a reader turns alerts on:
  // installing it on every page cost a long task on slow phones, for
  // readers who never subscribe. Loading a page only asks whether it is
  // there.
  function subscription() {
    return navigator.serviceWorker.getRegistration("/").then(function (r) { return r && r.pushManager.getSubscription(); });
  }
  subscription().then(function (s) { show(!!s); }).catch(function () {});
  on.addEventListener("click", function () {
    say("working");
    var key = fetch("/api/v1/push/key").then(function (r) { return r.json(); });
    within(15000, navigator.serviceWorker.register("/sw.js").then(function () {
      return Promise.all([navigator.serviceWorker.ready, key]);
    }).then(function (v) {
      return v[0].pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64(v[1].key) });
    })).then(function (sub) {
      return fetch("/api/v1/push/subscriptions", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ subscription: sub.toJSON(), topics: topics() }) });
    }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      show(true);
      say("subscribed");
    }).catch(function () { say(Notification.permission === "denied" ? "denied" : "failed"); });
  });
  off.addEventListener("click", function () {
    subscription().then(function (sub) {
      if (!sub) return;
      return fetch("/api/v1/push/subscriptions", { method: "DELETE", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ endpoint: sub.endpoint }) }).then(function () { return sub.unsubscribe(); });
    }).then(function () { show(false); say("unsubscribed"); }).catch(function () { say("failed"); });
  });
})();
