/*
 * Draws every chart of a page with Chart.js, without inline script (CSP-safe).
 *
 * Markup (see templates/includes/chart.html):
 *   <canvas data-chart="ID" data-label="What the chart shows">…fallback text…</canvas>
 *   <script type="application/json" id="ID">{…}</script>   (Django's json_script)
 *
 * The JSON: {"type": "line"|"bar", "labels": [...],
 *            "datasets": [{"label": "...", "data": [numbers or null], "dashed": bool}],
 *            "y_max": 100 or null, "y_label": "..."}
 *
 * Load chart.umd.min.js before this file (both with defer). Safe to load more than
 * once and on pages without charts: a canvas is only ever drawn once.
 */
(function () {
  "use strict";

  // Okabe–Ito palette: distinguishable with the common colour-vision deficiencies.
  var PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000", "#999999"];
  var TYPES = { line: true, bar: true };

  function readConfig(id) {
    var node = id ? document.getElementById(id) : null;
    if (!node) {
      return null;
    }
    try {
      return JSON.parse(node.textContent);
    } catch (error) {
      return null;
    }
  }

  function withAlpha(hex, alpha) {
    var value = parseInt(hex.slice(1), 16);
    return "rgba(" + ((value >> 16) & 255) + ", " + ((value >> 8) & 255) + ", " + (value & 255) + ", " + alpha + ")";
  }

  function dataset(spec, index, type) {
    var colour = PALETTE[index % PALETTE.length];
    var data = Array.isArray(spec.data) ? spec.data : [];
    return {
      label: String(spec.label || ""),
      data: data,
      borderColor: colour,
      backgroundColor: type === "bar" ? withAlpha(colour, spec.dashed ? 0.35 : 0.8) : colour,
      borderWidth: 2,
      borderDash: spec.dashed ? [6, 4] : [],
      // Different point shapes as well as colours, for readers who cannot tell colours apart.
      pointStyle: ["circle", "rect", "triangle", "rectRot", "star", "crossRot", "cross", "dash"][index % 8],
      pointRadius: type === "line" ? 3 : 0,
      spanGaps: false,
      tension: 0
    };
  }

  // On a narrow chart (a phone) a legend of long item names would fill the box: each
  // numbered item is named by its number ("5." for "5. Đẩy mạnh chính phủ điện tử"), other
  // names are shortened. The tooltip and the table beside the chart keep the full names.
  var NARROW_CHART = 480;
  var SHORT_LABEL = 18;

  function legendLabels(chart) {
    var labels = window.Chart.defaults.plugins.legend.labels.generateLabels(chart);
    if (chart.width >= NARROW_CHART) {
      return labels;
    }
    return labels.map(function (item) {
      var numbered = /^(\d+)\.\s/.exec(item.text);
      if (numbered) {
        item.text = numbered[1] + ".";
      } else if (item.text.length > SHORT_LABEL) {
        item.text = item.text.slice(0, SHORT_LABEL - 1) + "…";
      }
      return item;
    });
  }

  function options(config, label) {
    var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var yScale = { beginAtZero: true };
    if (typeof config.y_max === "number") {
      yScale.max = config.y_max;
    }
    if (config.y_label) {
      yScale.title = { display: true, text: String(config.y_label) };
    }
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: reducedMotion ? false : { duration: 400 },
      // Numbers in the page's language: 12,5 in Vietnamese, 12.5 in English.
      locale: document.documentElement.lang || undefined,
      interaction: { mode: "index", intersect: false },
      scales: { y: yScale },
      plugins: {
        legend: {
          display: (config.datasets || []).length > 1,
          labels: { usePointStyle: true, boxWidth: 8, boxHeight: 8, generateLabels: legendLabels }
        },
        title: { display: false, text: label }
      }
    };
  }

  function draw(canvas) {
    if (canvas.getAttribute("data-chart-drawn") === "yes") {
      return;
    }
    var config = readConfig(canvas.getAttribute("data-chart"));
    if (!config || !TYPES[config.type]) {
      return;
    }
    var label = canvas.getAttribute("data-label") || "";
    if (label) {
      canvas.setAttribute("aria-label", label);
    }
    canvas.setAttribute("role", "img");
    canvas.setAttribute("data-chart-drawn", "yes");
    var datasets = (config.datasets || []).map(function (spec, index) {
      return dataset(spec || {}, index, config.type);
    });
    new window.Chart(canvas, {
      type: config.type,
      data: { labels: config.labels || [], datasets: datasets },
      options: options(config, label)
    });
  }

  function drawAll() {
    var canvases = document.querySelectorAll("canvas[data-chart]");
    if (!canvases.length || typeof window.Chart === "undefined") {
      // Without Chart.js the canvas keeps its fallback text and the table beside it.
      return;
    }
    window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    window.Chart.defaults.color = "#1a1a1a";
    Array.prototype.forEach.call(canvases, draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
