// The report's chart: legs served (bars) and the median and 90th-percentile waits (lines) of
// each group, drawn with Apache ECharts (installed from npm, served by this server).
/* global echarts */

const box = document.getElementById("report-chart");
const data = JSON.parse(document.getElementById("report-chart-data").textContent);

if (box && data.labels.length) {
  const chart = echarts.init(box, null, { renderer: "svg" });
  const wait = data.ordered ? "line" : "bar";
  box.dataset.waitSeries = wait;
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: "'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif" },
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    // containLabel: the first (rotated) label and the axis names stay inside the chart
    grid: { left: 16, right: 16, top: 48, bottom: 16, containLabel: true },
    xAxis: { type: "category", data: data.labels, axisLabel: { rotate: data.labels.length > 6 ? 30 : 0, interval: 0 } },
    yAxis: [
      { type: "value", name: data.names.served, minInterval: 1 },
      { type: "value", name: data.names.minutes, position: "right" },
    ],
    // services, desks and staff are categories: bars side by side, never a line across them
    // as if they were a trend; hours, weekdays and days run in order and may be joined
    series: [
      { name: data.names.served, type: "bar", data: data.served, itemStyle: { color: "#b3261e" } },
      { name: data.names.wait, type: wait, yAxisIndex: 1, data: data.wait, itemStyle: { color: "#1f5fa8" } },
      { name: data.names.wait_p90, type: wait, yAxisIndex: 1, data: data.wait_p90, lineStyle: { type: "dashed" }, itemStyle: { color: "#c99a2e" } },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
  box.dataset.drawn = String(data.labels.length);
} else if (box) {
  box.hidden = true;
}
