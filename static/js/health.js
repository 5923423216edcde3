/* Health tab charts (Chart.js). Data comes from the JSON island #health-data; no inline script (CSP). */
(function () {
  "use strict";

  var POINTS = ["circle", "rect", "triangle", "rectRot", "star", "crossRot", "rectRounded", "cross"];
  var DASHES = [[], [6, 3], [2, 2], [10, 4, 2, 4], [4, 4], [1, 3], [8, 2], [12, 6]];
  var COLOURS = ["#1f6feb", "#b35900", "#1a7f37", "#8250df", "#cf222e", "#0a7d8c", "#6e7781", "#953800"];
  var LEVEL_POINT = { healthy: "circle", watch: "triangle", at_risk: "crossRot", unknown: "rect" };
  var LEVEL_COLOUR = { healthy: "#1a7f37", watch: "#b35900", at_risk: "#cf222e", unknown: "#6e7781" };

  function readData() {
    var island = document.getElementById("health-data");
    if (!island) { return null; }
    try { return JSON.parse(island.textContent); } catch (e) { return null; }
  }

  function flat(value, n) {
    var out = [];
    for (var i = 0; i < n; i++) { out.push(value); }
    return out;
  }

  function baseOptions(yMax) {
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      spanGaps: true,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { labels: { usePointStyle: true } } },
      scales: { y: { min: 0, max: yMax, beginAtZero: true } }
    };
  }

  function scoreChart(canvas, data) {
    var n = data.labels.length;
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: canvas.dataset.labelScore,
            data: data.score,
            borderColor: "#1f2328",
            borderWidth: 3,
            pointRadius: 6,
            pointStyle: data.levels.map(function (l) { return LEVEL_POINT[l] || "circle"; }),
            pointBackgroundColor: data.levels.map(function (l) { return LEVEL_COLOUR[l] || "#6e7781"; })
          },
          { label: canvas.dataset.labelHealthy, data: flat(data.thresholds.healthy, n), borderColor: "#1a7f37", borderDash: [6, 4], pointRadius: 0, borderWidth: 1 },
          { label: canvas.dataset.labelWatch, data: flat(data.thresholds.watch, n), borderColor: "#cf222e", borderDash: [2, 3], pointRadius: 0, borderWidth: 1 }
        ]
      },
      options: baseOptions(100)
    });
  }

  function signalsChart(canvas, data) {
    var codes = Object.keys(data.signals);
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: codes.map(function (code, i) {
          return {
            label: data.signals[code].label,
            data: data.signals[code].data,
            borderColor: COLOURS[i % COLOURS.length],
            backgroundColor: COLOURS[i % COLOURS.length],
            borderDash: DASHES[i % DASHES.length],
            pointStyle: POINTS[i % POINTS.length],
            pointRadius: 4,
            borderWidth: 2
          };
        })
      },
      options: baseOptions(100)
    });
  }

  function decisionsChart(canvas, data) {
    var target = data.decision_target;
    var datasets = [{ label: canvas.dataset.labelMedian, data: data.decisions, backgroundColor: "#1f6feb", borderColor: "#1f6feb", type: "bar" }];
    if (target !== null && target !== undefined) {
      datasets.push({ label: canvas.dataset.labelTarget, data: flat(target, data.labels.length), type: "line", borderColor: "#cf222e", borderDash: [6, 4], pointStyle: "line", pointRadius: 0 });
    }
    var options = baseOptions(undefined);
    delete options.scales.y.max;
    return new window.Chart(canvas, { type: "bar", data: { labels: data.labels, datasets: datasets }, options: options });
  }

  function peopleChart(canvas, data) {
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.people.map(function (p, i) {
          return { label: p.name, data: p.data, borderColor: COLOURS[i % COLOURS.length], borderDash: DASHES[i % DASHES.length], pointStyle: POINTS[i % POINTS.length], pointRadius: 5, borderWidth: 2 };
        })
      },
      options: baseOptions(100)
    });
  }

  var BUILDERS = { score: scoreChart, signals: signalsChart, decisions: decisionsChart, people: peopleChart };

  function init() {
    var data = readData();
    if (!data || !window.Chart) { return; }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var build = BUILDERS[canvas.dataset.chart];
      if (build) {
        build(canvas, data);
        canvas.dataset.rendered = "true";
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
