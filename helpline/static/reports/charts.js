/* The report page's three charts (volume by hour, calls by category group, the service-level
 * trend), drawn with Chart.js over the numbers the server rendered into #reports-data; the
 * tables beside them hold the same numbers. Without Chart.js the charts stay hidden and the
 * tables stand alone. */

const data = JSON.parse(document.getElementById("reports-data").textContent);
const words = data.words;
const rightToLeft = data.direction === "rtl";

const COLOURS = {
  offered: "#1a56db",
  answered: "#0f6b2f",
  abandoned: "#b3001b",
  category: "#5b3fa8",
  target: "#a14a00",
};

function show(canvasId, config) {
  const canvas = document.getElementById(canvasId);
  if (!canvas) return null;
  canvas.parentElement.hidden = false;
  config.options = Object.assign(
    {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      locale: document.documentElement.lang || "en",
      plugins: { legend: { rtl: rightToLeft, position: "bottom" } },
    },
    config.options || {}
  );
  const chart = new window.Chart(canvas, config);
  canvas.dataset.drawn = "true";
  return chart;
}

function barSeries(label, values, colour) {
  return { label: label, data: values, backgroundColor: colour, borderColor: colour };
}

function drawHours(hours) {
  return show("chart-hours", {
    type: "bar",
    data: {
      labels: hours.labels,
      datasets: [
        barSeries(words.offered, hours.offered, COLOURS.offered),
        barSeries(words.answered, hours.answered, COLOURS.answered),
        barSeries(words.abandoned, hours.abandoned, COLOURS.abandoned),
      ],
    },
    options: {
      scales: {
        x: { reverse: rightToLeft, title: { display: true, text: words.hour } },
        y: { beginAtZero: true, ticks: { precision: 0 }, position: rightToLeft ? "right" : "left" },
      },
    },
  });
}

function drawCategories(categories) {
  if (!categories.labels.length) return null;
  return show("chart-categories", {
    type: "bar",
    data: { labels: categories.labels, datasets: [barSeries(words.calls, categories.counts, COLOURS.category)] },
    options: {
      indexAxis: "y",
      plugins: { legend: { display: false } },
      scales: {
        x: { beginAtZero: true, ticks: { precision: 0 }, reverse: rightToLeft },
        y: { position: rightToLeft ? "right" : "left" },
      },
    },
  });
}

function drawTrend(trend) {
  const target = trend.labels.map(function () {
    return trend.target;
  });
  return show("chart-trend", {
    type: "line",
    data: {
      labels: trend.labels,
      datasets: [
        { label: words.service_level, data: trend.service_level, borderColor: COLOURS.offered, backgroundColor: COLOURS.offered, tension: 0.2 },
        { label: words.target, data: target, borderColor: COLOURS.target, borderDash: [6, 4], pointRadius: 0, fill: false },
      ],
    },
    options: {
      scales: {
        x: { reverse: rightToLeft, title: { display: true, text: words.day } },
        y: { min: 0, max: 100, position: rightToLeft ? "right" : "left" },
      },
    },
  });
}

if (typeof window.Chart === "function") {
  drawTrend(data.charts.trend);
  drawHours(data.charts.hours);
  drawCategories(data.charts.categories);
  document.body.dataset.charts = "drawn";
} else {
  document.body.dataset.charts = "unavailable";
}
