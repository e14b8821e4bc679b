/* Dashboard charts (Apache ECharts, vendored). Data comes from the json_script element
   "dashboard-data"; every chart also has its table under it and an Excel export link. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var charts = {};
  var STATUS = { met: 3, not_met: 0, missing_data: 1, not_applicable: 2 };

  function bar(labels, series, horizontal) {
    var category = { type: "category", data: labels, axisLabel: { interval: 0, rotate: horizontal ? 0 : 40 } };
    var value = { type: "value" };
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: horizontal ? 160 : 50, right: 20, bottom: horizontal ? 30 : 90, top: 30 },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? Object.assign(category, { inverse: true }) : value,
      series: series
    };
  }

  var builders = {
    children: function () {
      var rows = data.children;
      var series = [{ name: "Tỷ lệ kiểu mẫu (%)", type: "bar", data: rows.map(function (r) { return r.share; }) }];
      if (rows.some(function (r) { return r.target !== null; })) {
        series.push({ name: "Chỉ tiêu (%)", type: "line", data: rows.map(function (r) { return r.target; }) });
      }
      series.push({ name: "Đạt 100% tiêu chí", type: "bar", data: rows.map(function (r) { return r.model_standard; }) });
      return bar(rows.map(function (r) { return r.name; }), series, false);
    },
    distribution: function () {
      return bar(data.distribution.map(function (d) { return d.label; }),
        [{ name: "Số đơn vị", type: "bar", data: data.distribution.map(function (d) { return d.units; }) }], false);
    },
    criteria: function () {
      return bar(data.criterion_rates.map(function (c) { return c.code; }),
        [{ name: "Tỷ lệ đạt (%)", type: "bar", data: data.criterion_rates.map(function (c) { return c.rate; }) }], true);
    },
    groups: function () {
      return bar(data.group_rates.map(function (g) { return g.code + ". " + g.name; }),
        [{ name: "Tỷ lệ đạt cả nhóm (%)", type: "bar", data: data.group_rates.map(function (g) { return g.rate; }) }], true);
    },
    heatmap: function () {
      var codes = data.criteria.map(function (c) { return c.code; });
      var names = data.heatmap.map(function (r) { return r.name; });
      var points = [];
      data.heatmap.forEach(function (r, y) {
        r.statuses.forEach(function (s, x) { if (s) { points.push([x, y, STATUS[s]]); } });
      });
      return {
        tooltip: { formatter: function (p) { return names[p.value[1]] + " · " + codes[p.value[0]]; } },
        grid: { left: 160, right: 20, top: 20, bottom: 60 },
        xAxis: { type: "category", data: codes },
        yAxis: { type: "category", data: names, inverse: true },
        visualMap: { type: "piecewise", orient: "horizontal", left: "center", bottom: 0, pieces: [
          { value: 3, label: "Đạt", color: "#2e7d32" }, { value: 0, label: "Không đạt", color: "#c62828" },
          { value: 1, label: "Thiếu số liệu", color: "#f9a825" }, { value: 2, label: "Không áp dụng", color: "#9e9e9e" }] },
        series: [{ type: "heatmap", data: points }]
      };
    },
    timeliness: function () {
      var rows = data.timeliness;
      var labels = rows.map(function (t) { return t.period; });
      function s(name, key) { return { name: name, type: "bar", stack: "all", data: rows.map(function (t) { return t[key]; }) }; }
      return bar(labels, [s("Đúng hạn", "on_time"), s("Muộn", "late"), s("Chưa nộp", "missing")], false);
    },
    satisfaction: function () {
      var rows = data.satisfaction || [];
      return bar(rows.map(function (r) { return r.name; }),
        [{ name: "Tỷ lệ hài lòng (%)", type: "bar", data: rows.map(function (r) { return r.rate; }) }], false);
    },
    trends: function () {
      var rows = data.trends;
      var labels = rows.map(function (t) { return String(t.year); });
      function s(name, key) { return { name: name, type: "line", data: rows.map(function (t) { return t[key]; }) }; }
      return bar(labels, [s("Đạt 100% tiêu chí", "model_standard"), s("Được công nhận", "recognised"), s("Đã đánh giá", "evaluated")], false);
    }
  };

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var name = el.getAttribute("data-chart");
    if (!builders[name]) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(builders[name]());
    charts[name] = chart;
    el.setAttribute("data-ready", "1");
  });

  document.querySelectorAll("button[data-png]").forEach(function (button) {
    button.addEventListener("click", function () {
      var name = button.getAttribute("data-png");
      var chart = charts[name];
      if (!chart) { return; }
      var link = document.createElement("a");
      link.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
      link.download = "dashboard-" + data.root.code + "-" + data.year + "-" + name + ".png";
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  });

  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
  });
}());
