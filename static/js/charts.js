/* Draws each budget chart with Apache ECharts (vendored, SVG renderer) from its json_script
   data block: spending per month as bars, the cumulative spending and the even pace as lines,
   euros and months on the axes in the page's language. The table beside the chart holds the
   same figures, and the server's own SVG stays for a browser without script. */
(function () {
  "use strict";

  function draw(holder) {
    var block = document.getElementById(holder.dataset.chart);
    if (!block || !window.echarts) {
      return;
    }
    var data = JSON.parse(block.textContent);
    var lang = document.documentElement.lang || "fi";
    var euros = new Intl.NumberFormat(lang, { style: "currency", currency: "EUR", maximumFractionDigits: 0 });
    var months = new Intl.DateTimeFormat(lang, { month: "short", year: "2-digit" });
    var styles = getComputedStyle(document.documentElement);
    var colour = function (name, fallback) { return (styles.getPropertyValue(name) || fallback).trim(); };
    var number = function (value) { return value === null ? null : parseFloat(value); };
    var labels = data.months.map(function (iso) { return months.format(new Date(iso + "T12:00:00")); });

    // Shown before drawing, so that ECharts measures the holder at its real size.
    holder.hidden = false;
    holder.parentNode.querySelectorAll(".server-chart").forEach(function (old) { old.remove(); });
    var chart = window.echarts.init(holder, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      aria: { enabled: false },
      textStyle: { fontFamily: colour("--font-default", "sans-serif"), color: colour("--text", "#1a1a1a") },
      // A narrow chart has its legend on two rows.
      grid: { left: 8, right: 16, top: holder.clientWidth < 480 ? 72 : 40, bottom: 8, containLabel: true },
      legend: { top: 0, left: 0, itemGap: 16 },
      tooltip: { trigger: "axis", valueFormatter: function (value) { return value === null ? "–" : euros.format(value); } },
      xAxis: { type: "category", data: labels, axisLabel: { color: colour("--muted", "#4f5762") } },
      yAxis: {
        type: "value",
        axisLabel: { color: colour("--muted", "#4f5762"), formatter: function (value) { return euros.format(value); } },
      },
      series: [
        { name: holder.dataset.labelSpent, type: "bar", data: data.spent.map(number), itemStyle: { color: "#7fa9d6" }, barMaxWidth: 28 },
        { name: holder.dataset.labelCumulative, type: "line", data: data.cumulative.map(number), symbolSize: 6,
          lineStyle: { width: 3, color: colour("--color-bus-dark", "#07345c") }, itemStyle: { color: colour("--color-bus-dark", "#07345c") } },
        { name: holder.dataset.labelPlanned, type: "line", data: data.planned.map(number), symbol: "none",
          lineStyle: { width: 2, type: "dashed", color: colour("--muted", "#4f5762") }, itemStyle: { color: colour("--muted", "#4f5762") } },
      ],
    });
    // The drawn SVG is the figure's image, named by the summary sentence.
    var svg = holder.querySelector("svg");
    if (svg) {
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-labelledby", holder.dataset.labelledby);
    }
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll() {
    document.querySelectorAll("[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
