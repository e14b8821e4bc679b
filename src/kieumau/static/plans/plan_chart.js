// The target-versus-actual chart of a plan page. Data come from the json_script element
// "plan-chart-data" (no inline script: CSP); ECharts is vendored.
(function () {
  "use strict";
  function draw() {
    var box = document.getElementById("plan-chart");
    var source = document.getElementById("plan-chart-data");
    if (!box || !source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var L = data.labels;
    var chart = echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 40, right: 16, top: 24, bottom: 56 },
      xAxis: { type: "category", data: data.years.map(String) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: L.designated, type: "bar", data: data.designated },
        { name: L.meeting, type: "bar", data: data.meeting },
        { name: L.recognised, type: "bar", data: data.recognised },
        { name: L.expected, type: "line", data: data.expected, lineStyle: { type: "dashed" } },
        { name: L.required, type: "scatter", symbolSize: 14, data: data.required },
        { name: L.forecast, type: "line", data: data.forecast },
        { name: L.total, type: "line", step: "middle", data: data.total, lineStyle: { type: "dotted" } }
      ]
    });
    box.setAttribute("data-rendered", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
