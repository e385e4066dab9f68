/*
 * A form is sent once: after the first submission of a POST form its buttons are
 * disabled, so that a double click on "Submit for review" or "Approve" sends one
 * request. The pressed button's name and value still travel with the form (a
 * hidden copy is added, since a disabled button is not sent). A form marked
 * data-resubmit (a download that leaves the page in place) is left alone, and the
 * buttons come back when the browser shows the page again from its history.
 * Loaded for signed-in users (templates/base.html): public pages stay without script.
 * The server answers a repeated submission as it answered the first one anyway
 * (programmes.selectors.repeats_transition): this only spares the second request.
 */
(function () {
  "use strict";

  function buttons(form) {
    var inside = Array.prototype.slice.call(form.querySelectorAll("button, input[type=submit], input[type=image]"));
    if (form.id) {
      inside = inside.concat(Array.prototype.slice.call(
        document.querySelectorAll("[form='" + form.id.replace(/'/g, "\\'") + "']")
      ).filter(function (el) { return el.matches("button, input[type=submit], input[type=image]"); }));
    }
    return inside;
  }

  // Logging out on purpose forgets the unsaved text kept in this browser (static/js/drafts.js): the next
  // person at this computer finds none of it. (A session that ends by itself keeps it.)
  document.addEventListener("submit", function (event) {
    if (event.target instanceof HTMLFormElement && event.target.hasAttribute("data-clears-drafts")) {
      try {
        Object.keys(window.localStorage).filter(function (key) { return key.indexOf("portal.draft.") === 0; })
          .forEach(function (key) { window.localStorage.removeItem(key); });
      } catch (error) { /* No storage: nothing kept. */ }
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.getAttribute("method") || "get").toLowerCase() !== "post") {
      return;
    }
    if (form.hasAttribute("data-resubmit") || form.target) {
      return;
    }
    if (form.getAttribute("data-submitting") === "true") {
      event.preventDefault();
      return;
    }
    if (event.defaultPrevented) {
      return;
    }
    form.setAttribute("data-submitting", "true");
    var pressed = event.submitter;
    if (pressed && pressed.name) {
      var copy = document.createElement("input");
      copy.type = "hidden";
      copy.name = pressed.name;
      copy.value = pressed.value;
      copy.setAttribute("data-pressed-copy", "");
      form.appendChild(copy);
    }
    // After this event: the browser builds the form's data first, with the pressed button in it.
    window.setTimeout(function () {
      buttons(form).forEach(function (button) {
        button.disabled = true;
        button.setAttribute("aria-disabled", "true");
      });
    }, 0);
  });

  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll("form[data-submitting]"), function (form) {
      form.removeAttribute("data-submitting");
      Array.prototype.forEach.call(form.querySelectorAll("[data-pressed-copy]"), function (copy) {
        copy.remove();
      });
      buttons(form).forEach(function (button) {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
      });
    });
  });
}());
