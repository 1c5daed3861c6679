// luoshi's own behaviour. No inline scripts anywhere (the CSP forbids them): pages mark elements
// with data-* attributes and this file wires them up.
(function () {
  "use strict";

  function init(root) {
    root.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { el.form.submit(); });
    });
    root.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("click", function (event) {
        if (!window.confirm(el.dataset.confirm)) { event.preventDefault(); }
      });
    });
    // Show progress while a normal (non-htmx) form posts, e.g. an upload.
    root.querySelectorAll("form[data-progress]").forEach(function (form) {
      form.addEventListener("submit", function () {
        var bar = document.getElementById("progress-indicator");
        if (bar) { bar.style.display = "block"; }
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      });
    });
    // ECharts: <div class="chart" data-chart="json-script-id"></div>
    if (window.echarts) {
      root.querySelectorAll("[data-chart]").forEach(function (el) {
        var source = document.getElementById(el.dataset.chart);
        if (!source) { return; }
        var option = JSON.parse(source.textContent);
        var chart = window.echarts.init(el);
        chart.setOption(option);
        if (el.dataset.links) {
          var links = JSON.parse(document.getElementById(el.dataset.links).textContent);
          chart.on("click", function (params) {
            var url = links[params.name];
            if (url) { window.location.href = url; }
          });
        }
        window.addEventListener("resize", function () { chart.resize(); });
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
