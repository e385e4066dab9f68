/*
 * Job progress: polls the job's status.json every second, moves the progress
 * bar (width classes .w-0 ... .w-100 in steps of 5; no inline styles, for the
 * Content-Security-Policy) and reloads the page when the job has finished, so
 * that the server renders its outcome. Without JavaScript the page refreshes
 * itself through a <noscript> meta refresh instead.
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-job-status-url]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-job-status-url");
  var track = box.querySelector(".progress");
  var bar = box.querySelector(".progress-bar");
  var percent = box.querySelector("[data-job-percent]");
  var status = box.querySelector("[data-job-status]");
  var failures = 0;

  function show(data) {
    if (bar) {
      bar.className = bar.className.replace(/(^|\s)w-\d+(?=\s|$)/g, " ").trim() + " w-" + data.bar;
    }
    if (track) {
      track.setAttribute("aria-valuenow", String(data.percent));
    }
    if (percent) {
      percent.textContent = String(data.percent);
    }
    if (status && data.status_display) {
      status.textContent = data.status_display.charAt(0).toUpperCase() + data.status_display.slice(1);
    }
  }

  function poll() {
    window.fetch(url, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("status " + response.status);
      }
      return response.json();
    }).then(function (data) {
      failures = 0;
      show(data);
      if (data.finished) {
        window.location.reload();
        return;
      }
      window.setTimeout(poll, 1000);
    }).catch(function () {
      // A hiccup (server restart, network): keep trying, less often.
      failures += 1;
      window.setTimeout(poll, Math.min(30000, 1000 * Math.pow(2, failures)));
    });
  }

  window.setTimeout(poll, 1000);
}());
