/*
 * A long form never loses what an officer typed (the report and the maturity assessment forms).
 *
 * A form marked data-keep-draft="<scope>" (a report or assessment and the user: "report-17-4") with
 * data-draft-version="<version>":
 * - keeps what is typed in this browser's localStorage, under "portal.draft.<scope>.<version>",
 *   a moment after each change and when the form is sent;
 * - when the page is loaded again and a kept draft differs from what the page shows (the post never
 *   arrived: the session had ended, the network failed, the tab was closed), offers it back in the box
 *   [data-draft-offer]: "Restore my text" puts it into the fields, "Discard" forgets it;
 * - forgets a draft once the server has it: it was sent and the page shows a later version saved by
 *   this user (data-draft-mine="true"), or the page shows exactly the draft;
 * - asks before leaving the page with changes not sent (beforeunload), never while the form is sent;
 * - while the user types, asks data-keep-alive (at most every few minutes): the session stays alive,
 *   and if it has ended the box [data-session-ended] says so at once.
 * The words are in the page (templates, translated); only the time is formatted here. Logging out
 * (static/js/forms.js) forgets every draft kept in this browser.
 */
(function () {
  "use strict";

  var PREFIX = "portal.draft.";
  var SAVE_DELAY = 400;                 // ms after the last key press
  var KEEP_ALIVE_EVERY = 4 * 60 * 1000; // at most one keep-alive request in this time

  var form = document.querySelector("form[data-keep-draft]");
  if (!form || !window.localStorage) {
    return;
  }
  var scope = PREFIX + form.getAttribute("data-keep-draft") + ".";
  var version = parseInt(form.getAttribute("data-draft-version"), 10) || 0;
  var mine = form.getAttribute("data-draft-mine") === "true";
  var key = scope + version;
  var offerBox = document.querySelector("[data-draft-offer]");
  var endedBox = document.querySelector("[data-session-ended]");

  function kept(element) {
    if (!element.name || element.disabled || element.name === "csrfmiddlewaretoken" || element.name === "version") {
      return false;
    }
    var type = (element.type || "").toLowerCase();
    return ["file", "hidden", "submit", "button", "reset", "image", "password"].indexOf(type) === -1;
  }

  // {field: value}; a check box or radio button is "name=value": true/false.
  function read() {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!kept(element)) {
        return;
      }
      var type = (element.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        fields[element.name + "=" + element.value] = element.checked;
      } else if (type === "select-multiple") {
        fields[element.name] = Array.prototype.filter.call(element.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        fields[element.name] = element.value;
      }
    });
    return fields;
  }

  function write(fields) {
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!kept(element)) {
        return;
      }
      var type = (element.type || "").toLowerCase();
      var name = (type === "checkbox" || type === "radio") ? element.name + "=" + element.value : element.name;
      if (!Object.prototype.hasOwnProperty.call(fields, name)) {
        return;
      }
      var value = fields[name];
      if (type === "checkbox" || type === "radio") {
        element.checked = !!value;
      } else if (type === "select-multiple") {
        Array.prototype.forEach.call(element.options, function (o) { o.selected = value.indexOf(o.value) !== -1; });
      } else {
        element.value = value;
      }
    });
  }

  // The fields whose value in ``draft`` is not the page's.
  function differences(draft, page) {
    return Object.keys(draft).filter(function (name) {
      return Object.prototype.hasOwnProperty.call(page, name) && JSON.stringify(draft[name]) !== JSON.stringify(page[name]);
    });
  }

  function load(storageKey) {
    try {
      var record = JSON.parse(window.localStorage.getItem(storageKey));
      return record && record.fields ? record : null;
    } catch (error) {
      return null;
    }
  }

  // Logging out on purpose (a form marked data-clears-drafts, static/js/forms.js) forgets the drafts:
  // none is kept again on the way out, unless the user stays and types on.
  var forgotten = false;
  document.addEventListener("submit", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-clears-drafts")) {
      forgotten = true;
    }
  });

  function store(sent) {
    if (forgotten) {
      return;
    }
    var fields = read();
    if (!differences(fields, baseline).length && !unsaved) {
      window.localStorage.removeItem(key);
      return;
    }
    // A browser cannot keep chosen files: the offer says to choose them again.
    var files = Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (input) {
      return input.files && input.files.length > 0;
    });
    try {
      window.localStorage.setItem(key, JSON.stringify({
        version: version, saved: Date.now(), sent: !!sent, files: files, fields: fields
      }));
    } catch (error) {
      // Storage full or refused (private browsing): the beforeunload warning still protects the text.
    }
  }

  function draftsOfThisForm() {
    var found = [];
    for (var i = 0; i < window.localStorage.length; i += 1) {
      var name = window.localStorage.key(i);
      if (name && name.indexOf(scope) === 0) {
        found.push(name);
      }
    }
    return found;
  }

  // What the page shows as it loads; a page shown again with the user's input after an error
  // (data-unsaved) holds changes the server does not have.
  var baseline = read();
  var unsaved = form.getAttribute("data-unsaved") === "true";
  var dirty = unsaved;
  var submitting = false;
  var offered = null;

  // The drafts kept for this form: forget those the server has; offer back the latest other one.
  draftsOfThisForm().forEach(function (name) {
    var record = load(name);
    if (!record || record.version > version) {
      if (!record) {
        window.localStorage.removeItem(name);
      }
      return;
    }
    if (unsaved && record.version === version && record.sent) {
      // The page is what was sent, shown again with the server's errors beside the fields: nothing to
      // offer (the session did not end), and the draft stays until the corrected text is saved.
      return;
    }
    if (record.version < version && mine && record.sent) {
      window.localStorage.removeItem(name); // Sent, and the next version is this user's: the server has it.
      return;
    }
    if (!differences(record.fields, baseline).length) {
      // The page shows it already: forget it, unless the page is the user's input shown again after an error.
      if (!(unsaved && record.version === version)) {
        window.localStorage.removeItem(name);
      }
      return;
    }
    if (!offered || record.saved > offered.record.saved) {
      offered = {name: name, record: record};
    }
  });

  // As the portal writes a moment, in its time zone whatever the computer's: 05/12/2026 14:30.
  function portalMoment(moment) {
    var parts = {};
    try {
      new Intl.DateTimeFormat("en-GB", {
        timeZone: form.getAttribute("data-time-zone") || "Asia/Ho_Chi_Minh", hourCycle: "h23",
        day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit"
      }).formatToParts(moment).forEach(function (part) { parts[part.type] = part.value; });
    } catch (error) {
      var two = function (n) { return (n < 10 ? "0" : "") + n; };
      parts = {day: two(moment.getDate()), month: two(moment.getMonth() + 1), year: moment.getFullYear(),
               hour: two(moment.getHours()), minute: two(moment.getMinutes())};
    }
    return parts.day + "/" + parts.month + "/" + parts.year + " " + parts.hour + ":" + parts.minute;
  }

  function showOffer() {
    if (!offerBox) {
      return;
    }
    var record = offered.record;
    Array.prototype.forEach.call(offerBox.querySelectorAll("[data-draft-when]"), function (line) {
      var when = line.getAttribute("data-draft-when");
      line.hidden = !((when === "sent" && record.sent) || (when === "unsent" && !record.sent) ||
        (when === "changed" && record.version !== version) || (when === "files" && record.files));
    });
    var time = offerBox.querySelector("[data-draft-time]");
    if (time) {
      var saved = new Date(record.saved);
      time.setAttribute("datetime", saved.toISOString());
      time.textContent = portalMoment(saved);
    }
    offerBox.hidden = false;
  }

  if (offered) {
    showOffer();
    offerBox.querySelector("[data-draft-restore]").addEventListener("click", function () {
      write(offered.record.fields);
      if (offered.name !== key) {
        window.localStorage.removeItem(offered.name);
      }
      offered = null;
      dirty = true;
      store(false);
      offerBox.hidden = true;
      var first = form.querySelector("textarea, input:not([type=hidden]), select");
      if (first) {
        first.focus();
      }
    });
    offerBox.querySelector("[data-draft-discard]").addEventListener("click", function () {
      window.localStorage.removeItem(offered.name);
      offered = null;
      offerBox.hidden = true;
    });
  }

  // The session: asked while the user types, at most every KEEP_ALIVE_EVERY.
  var keepAliveUrl = form.getAttribute("data-keep-alive");
  var lastAsked = 0;

  function askSession(force) {
    if (!keepAliveUrl || !window.fetch) {
      return;
    }
    var now = Date.now();
    if (!force && now - lastAsked < KEEP_ALIVE_EVERY) {
      return;
    }
    lastAsked = now;
    window.fetch(keepAliveUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (endedBox) {
          endedBox.hidden = response.status !== 401;
        }
      })
      .catch(function () { /* Offline: the draft is kept anyway. */ });
  }

  var timer = null;
  function changed() {
    dirty = true;
    forgotten = false;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { store(false); }, SAVE_DELAY);
    askSession(false);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  // Back at the page after a while: has the session ended meanwhile?
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && dirty) {
      // Signed in again in another tab? Asked at once while the page says the session ended.
      askSession(!!(endedBox && !endedBox.hidden));
    }
  });

  form.addEventListener("submit", function () {
    submitting = true;
    window.clearTimeout(timer);
    if (dirty) {
      store(true);
    }
    // Signed in again in another tab, the CSRF token of this page is outdated: send the current one.
    var cookie = document.cookie.split("; ").filter(function (c) { return c.indexOf("csrftoken=") === 0; })[0];
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (cookie && token) {
      token.value = decodeURIComponent(cookie.slice("csrftoken=".length));
    }
  });

  // Shown again from the browser's history (Back): the form can be sent again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      submitting = false;
    }
  });

  window.addEventListener("pagehide", function () {
    if (dirty && !submitting) {
      store(false);
    }
  });

  var leaving = false;
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-leave-ok]")) {
      store(false);
      leaving = true;
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (!dirty || submitting) {
      return undefined;
    }
    if (leaving) {
      return undefined; // "Log in again": the text is kept in this browser.
    }
    store(false);
    event.preventDefault();
    event.returnValue = "";
    return "";
  });
}());
