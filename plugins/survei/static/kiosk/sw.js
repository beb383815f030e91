/* Portal Warga survey kiosk: service worker (scope: the kiosk page).
 *
 * Keeps the kiosk page and its two files, so that the tablet opens the
 * kiosk without a connection. The page is fetched from the network first
 * (so changes arrive) and from the cache when offline; its files from the
 * cache first. Nothing else is touched: answers travel through IndexedDB and
 * the sync API, never through this cache.
 */
"use strict";

var CACHE = "survei-kiosk-1";
var SCOPE = new URL("./", self.location).pathname;
var FILES = ["./", "./static/kiosk.js", "./static/kiosk.css"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(FILES); }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("survei-kiosk-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.indexOf(SCOPE) !== 0) {
    return; /* the API and the rest of the portal: straight to the network */
  }
  if (request.mode === "navigate" || url.pathname === SCOPE) {
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok && url.pathname === SCOPE) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(SCOPE, copy); });
        }
        return response;
      }).catch(function () {
        return caches.match(SCOPE);
      })
    );
    return;
  }
  event.respondWith(
    caches.match(request, { ignoreSearch: true }).then(function (cached) {
      return cached || fetch(request);
    })
  );
});
