/* Portal Warga survey kiosk (plain JavaScript, no build step).
 *
 * The tablet keeps its credential, its desk and a queue of answers in
 * IndexedDB. Every answer is queued first, with its own UUID and the time it
 * was given, then sent to the sync API whenever the tablet is online; the
 * server stores each UUID once, so sending an answer twice is harmless.
 */
(function () {
  "use strict";

  var DB_NAME = "survei-kiosk";
  var SETTINGS = "settings";
  var QUEUE = "queue";
  var BATCH = 100;
  var THANKS_MS = 4000;
  var SYNC_EVERY_MS = 30000;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore(SETTINGS);
        db.createObjectStore(QUEUE, { keyPath: "client_uuid" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(db, store, mode, work) {
    return new Promise(function (resolve, reject) {
      var tx = db.transaction(store, mode);
      var result;
      var request = work(tx.objectStore(store));
      if (request) request.onsuccess = function () { result = request.result; };
      tx.oncomplete = function () { resolve(result); };
      tx.onerror = tx.onabort = function () { reject(tx.error); };
    });
  }

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function $(id) { return document.getElementById(id); }

  /* The page shown right after enrolment: keep the credential, go to the kiosk. */
  function finishEnrolment(db, node) {
    return run(db, SETTINGS, "readwrite", function (store) {
      store.put(node.dataset.credential, "credential");
      store.put(JSON.parse(node.dataset.config), "desk");
    }).then(function () { window.location.replace(node.dataset.next); });
  }

  function Kiosk(db, root) {
    this.db = db;
    this.root = root;
    this.text = root.dataset;
    this.credential = null;
    this.desk = null;
    this.syncing = false;
    this.idleTimer = null;
    this.thanksTimer = null;
  }

  Kiosk.prototype.show = function (id) {
    ["enrol", "quick", "skm", "thanks"].forEach(function (name) { $(name).hidden = name !== id; });
  };

  Kiosk.prototype.problem = function (message) {
    var node = $("problem");
    node.textContent = message || "";
    node.hidden = !message;
  };

  Kiosk.prototype.start = function () {
    var self = this;
    return run(this.db, SETTINGS, "readonly", function (store) { return store.get("credential"); })
      .then(function (credential) {
        self.credential = credential || null;
        return run(self.db, SETTINGS, "readonly", function (store) { return store.get("desk"); });
      })
      .then(function (desk) {
        self.desk = desk || null;
        self.bind();
        self.question();
        self.refreshDesk();
        self.status();
        self.sync();
        window.addEventListener("online", function () { self.sync(); });
        window.addEventListener("offline", function () { self.status(); });
        window.setInterval(function () { self.sync(); }, SYNC_EVERY_MS);
      });
  };

  /* The first screen for the next citizen. */
  Kiosk.prototype.question = function () {
    window.clearTimeout(this.idleTimer);
    window.clearTimeout(this.thanksTimer);
    if (!this.credential || !this.desk) {
      this.show("enrol");
      return;
    }
    $("desk-name").textContent = this.desk.unit + " — " + this.desk.desk;
    $("skm-form").reset();
    this.show(this.desk.kind === "skm" ? "skm" : "quick");
    window.scrollTo(0, 0);
  };

  Kiosk.prototype.bind = function () {
    var self = this;
    Array.prototype.forEach.call(document.querySelectorAll("[data-face]"), function (button) {
      button.addEventListener("click", function () {
        self.answer({ kind: "cepat", face: parseInt(button.dataset.face, 10) });
      });
    });
    $("skm-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target;
      var item = { kind: "skm" };
      for (var n = 1; n <= 9; n++) {
        var picked = form.querySelector("input[name=u" + n + "]:checked");
        if (!picked) return; /* the browser's own check names the missing one */
        item["u" + n] = parseInt(picked.value, 10);
      }
      self.answer(item);
    });
    /* A citizen who walks away half-way: start again for the next one. */
    ["input", "click", "touchstart", "keydown", "scroll"].forEach(function (name) {
      document.addEventListener(name, function () { self.touched(); }, { passive: true });
    });
    $("sync-now").addEventListener("click", function () { self.sync(); });
    /* The next citizen need not wait for the thanks to go away. */
    $("thanks").addEventListener("click", function () { self.question(); });
  };

  Kiosk.prototype.touched = function () {
    var self = this;
    window.clearTimeout(this.idleTimer);
    if ($("skm").hidden) return;
    this.idleTimer = window.setTimeout(function () { self.question(); }, 1000 * parseInt(this.text.idle, 10));
  };

  Kiosk.prototype.answer = function (fields) {
    var self = this;
    var item = { client_uuid: uuid4(), created_at: new Date().toISOString() };
    Object.keys(fields).forEach(function (key) { item[key] = fields[key]; });
    return run(this.db, QUEUE, "readwrite", function (store) { store.put(item); }).then(function () {
      self.show("thanks");
      self.thanksTimer = window.setTimeout(function () { self.question(); }, THANKS_MS);
      self.status();
      self.sync();
    });
  };

  Kiosk.prototype.waiting = function () {
    return run(this.db, QUEUE, "readonly", function (store) { return store.count(); });
  };

  Kiosk.prototype.status = function () {
    var self = this;
    return this.waiting().then(function (count) {
      var text = count === 0 ? self.text.allSent
        : (count === 1 ? self.text.waitingOne : self.text.waitingOther).replace("#", String(count));
      if (!navigator.onLine) text += " · " + self.text.offline;
      $("queue-status").textContent = text;
      $("sync-now").hidden = count === 0 || !self.credential;
      return count;
    });
  };

  /* Keep the desk's name and survey kind up to date (when online). */
  Kiosk.prototype.refreshDesk = function () {
    var self = this;
    if (!this.credential || !navigator.onLine) return;
    fetch(this.text.deskApi, { headers: { Authorization: "Bearer " + this.credential }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) return self.refused(response);
        return response.json().then(function (desk) {
          var changed = !self.desk || self.desk.kind !== desk.kind;
          self.desk = desk;
          return run(self.db, SETTINGS, "readwrite", function (store) { store.put(desk, "desk"); }).then(function () {
            if (changed && $("thanks").hidden) self.question();
          });
        });
      })
      .catch(function () { /* offline: the stored desk is used */ });
  };

  /* The server refused the credential (revoked, desk deactivated, module off). */
  Kiosk.prototype.refused = function (response) {
    var self = this;
    return response.json().then(function (body) {
      self.problem(body && body.error ? body.error.message : String(response.status));
    }, function () { self.problem(String(response.status)); }).then(function () {
      if (response.status === 401) {
        /* The answers stay queued; a new enrolment sends them. */
        self.credential = null;
        return run(self.db, SETTINGS, "readwrite", function (store) { store.delete("credential"); }).then(function () {
          self.show("enrol");
        });
      }
    });
  };

  Kiosk.prototype.sync = function () {
    var self = this;
    if (this.syncing || !this.credential || !navigator.onLine) return this.status();
    this.syncing = true;
    var items;
    return run(this.db, QUEUE, "readonly", function (store) { return store.getAll(null, BATCH); })
      .then(function (found) {
        items = found || [];
        if (!items.length) return null;
        return fetch(self.text.syncApi, {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: "Bearer " + self.credential },
          body: JSON.stringify({ responses: items }),
          cache: "no-store"
        });
      })
      .then(function (response) {
        if (!response) return null;
        if (!response.ok) return self.refused(response);
        return response.json().then(function (body) {
          self.problem("");
          var rejected = 0;
          /* Stored, held for review or already stored: done. Invalid: the
             server will never take it; drop it rather than resend forever. */
          var done = body.results.map(function (result) {
            if (result.status === "invalid") rejected += 1;
            return result.client_uuid;
          });
          if (rejected) self.problem(self.text.rejected);
          return run(self.db, QUEUE, "readwrite", function (store) {
            done.forEach(function (id) { if (id) store.delete(id); });
          }).then(function () { return done.length === BATCH; });
        });
      })
      .catch(function () { /* the connection dropped: try again later */ })
      .then(function (more) {
        self.syncing = false;
        if (more === true) return self.sync();
        return self.status();
      });
  };

  function start() {
    if ("serviceWorker" in navigator) {
      var root = $("kiosk");
      if (root) {
        navigator.serviceWorker.register(root.dataset.sw, { scope: root.dataset.scope }).catch(function () {});
      }
    }
    openDb().then(function (db) {
      var enrolled = $("kiosk-enrolled");
      if (enrolled) return finishEnrolment(db, enrolled);
      var root = $("kiosk");
      if (root) return new Kiosk(db, root).start();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
