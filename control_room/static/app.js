// arfleet control room: the little script the pages need (no inline scripts: the CSP forbids them).
(function () {
  "use strict";

  // Charts: a <canvas data-chart="runs-per-hour" data-source="/dashboard/charts.json"> is drawn and
  // refreshed every 30 s from the JSON the dashboard serves.
  const charts = {};
  const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

  function draw(canvas, data) {
    const kind = canvas.dataset.chart;
    let config;
    if (kind === "runs-per-hour") {
      const rows = data.runs_per_hour;
      const series = [["completed", "--ok"], ["failed", "--bad"], ["stopped", "--warn"], ["running", "--accent"], ["pending", "--muted"]];
      config = {
        type: "bar",
        data: {
          labels: rows.map((r) => r.hour),
          datasets: series.map(([key, color]) => ({ label: canvas.dataset["label" + key[0].toUpperCase() + key.slice(1)] || key,
            data: rows.map((r) => r[key] || 0), backgroundColor: css(color) })),
        },
        options: { animation: false, maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
      };
    } else if (kind === "exceptions") {
      config = {
        type: "bar",
        data: { labels: data.exceptions.map((e) => e.reason),
                datasets: [{ label: canvas.dataset.label || "", data: data.exceptions.map((e) => e.count), backgroundColor: css("--bad") }] },
        options: { animation: false, maintainAspectRatio: false, indexAxis: "y", plugins: { legend: { display: false } },
                   scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
      };
    } else if (kind === "success-rate") {
      config = {
        type: "bar",
        data: { labels: data.success_rate.map((s) => s.process),
                datasets: [{ label: canvas.dataset.label || "", data: data.success_rate.map((s) => s.percent), backgroundColor: css("--ok") }] },
        options: { animation: false, maintainAspectRatio: false, indexAxis: "y", plugins: { legend: { display: false } },
                   scales: { x: { beginAtZero: true, max: 100 } } },
      };
    } else if (kind === "queue-depth") {
      const queues = Object.keys(data.queue_depth);
      const labels = queues.length ? data.queue_depth[queues[0]].map((p) => p.at) : [];
      const palette = ["--accent", "--ok", "--warn", "--bad", "--muted"];
      config = {
        type: "line",
        data: { labels: labels,
                datasets: queues.map((q, i) => ({ label: q, data: data.queue_depth[q].map((p) => p.waiting),
                  borderColor: css(palette[i % palette.length]), pointRadius: 0, tension: 0.2 })) },
        options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      };
    } else {
      return;
    }
    if (charts[kind]) {
      charts[kind].data = config.data;
      charts[kind].update();
    } else {
      charts[kind] = new window.Chart(canvas, config);
    }
  }

  function refreshCharts() {
    const canvases = document.querySelectorAll("canvas[data-chart]");
    if (!canvases.length || !window.Chart) return;
    fetch(canvases[0].dataset.source, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : null))
      .then((data) => { if (data) canvases.forEach((c) => draw(c, data)); });
  }

  // "Select all" boxes for batch actions: <input type="checkbox" data-select-all="ids">.
  document.addEventListener("change", (event) => {
    const box = event.target;
    if (box.matches("input[data-select-all]")) {
      document.querySelectorAll(`input[type=checkbox][name="${box.dataset.selectAll}"]`).forEach((b) => { b.checked = box.checked; });
    }
  });

  // Forms that destroy something ask first: <form data-confirm="Delete it?">.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  // Keep the live console scrolled to its end while new lines arrive.
  document.addEventListener("htmx:afterSwap", (event) => {
    const box = event.target.closest ? event.target.closest(".console") : null;
    if (box) box.scrollTop = box.scrollHeight;
  });
  document.addEventListener("htmx:oobAfterSwap", () => {});

  document.addEventListener("DOMContentLoaded", () => {
    refreshCharts();
    if (document.querySelector("canvas[data-chart]")) setInterval(refreshCharts, 30000);
  });
})();
