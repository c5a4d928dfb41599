// Khabar's service worker: shows breaking-news alerts sent by Web Push and
// opens the article when one is tapped. Payload (from the server, RFC 8291
// encrypted): {"title", "body", "url", "tag", "lang", "dir"}.
"use strict";
self.addEventListener("push", function (event) {
  var d = {};
  try { d = event.data ? event.data.json() : {}; } catch (err) { d = { title: event.data ? event.data.text() : "" }; }
  event.waitUntil(self.registration.showNotification(d.title || "", {
    body: d.body || "",
    dir: d.dir || "auto",
    lang: d.lang || "",
    tag: d.tag || undefined,
    icon: "/icon-192.png", // the outlet's, as on the home screen
    data: { url: d.url || "/" }
  }));
});
self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = event.notification.data && event.notification.data.url;
  if (!url || !/^https?:\/\//.test(url) && url.charAt(0) !== "/") url = "/";
  event.waitUntil(self.clients.openWindow(url));
});
