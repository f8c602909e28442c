/* Draws the dashboard's charts from the JSON the page embeds (json_script "dashboard-charts"). */
(function () {
  "use strict";
  var el = document.getElementById("dashboard-charts");
  if (!el || typeof Chart === "undefined") { return; }
  var data = JSON.parse(el.textContent);
  var blue = "#0d6efd", green = "#198754", amber = "#ffc107", red = "#dc3545", grey = "#adb5bd";
  function make(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { canvas.chart = new Chart(canvas, config); }
  }
  make("chart-series", {
    type: "line",
    data: {
      labels: data.series.labels,
      datasets: [
        { label: data.series.received_label, data: data.series.received, borderColor: blue, backgroundColor: blue, tension: 0.2 },
        { label: data.series.resolved_label, data: data.series.resolved, borderColor: green, backgroundColor: green, tension: 0.2 }
      ]
    },
    options: { animation: false, scales: { y: { beginAtZero: true } } }
  });
  make("chart-timeliness", {
    type: "doughnut",
    data: { labels: data.timeliness.labels, datasets: [{ data: data.timeliness.values, backgroundColor: [green, blue, red] }] },
    options: { animation: false }
  });
  make("chart-online", {
    type: "doughnut",
    data: { labels: data.online.labels, datasets: [{ data: data.online.values, backgroundColor: [blue, grey] }] },
    options: { animation: false }
  });
  // horizontal bars, one row of ~28 px per agency: the names stay readable (the view sends the
  // busiest agencies only, the table lists them all)
  var agencyBox = document.querySelector(".chart-agencies-box");
  if (agencyBox) { agencyBox.style.height = (data.agencies.labels.length * 28 + 70) + "px"; }
  make("chart-agencies", {
    type: "bar",
    data: {
      labels: data.agencies.labels,
      datasets: [
        { label: data.agencies.received_label, data: data.agencies.received, backgroundColor: blue },
        { label: data.agencies.resolved_label, data: data.agencies.resolved, backgroundColor: amber }
      ]
    },
    options: { animation: false, indexAxis: "y", maintainAspectRatio: false, scales: { x: { beginAtZero: true } } }
  });
  document.documentElement.dataset.chartsReady = "1";
})();
