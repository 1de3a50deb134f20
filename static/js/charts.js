// Dashboard charts drawn with Apache ECharts (served from our static files, never a CDN).
// Each chart's figures come from a json_script block the server wrote from the summary; the
// table beside every chart holds the same figures for readers without JavaScript. No inline
// script or style: sizes come from CSS classes or are set through the DOM (allowed by CSP).
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") return; // the tables remain

  var COLORS = {
    bar: "#0b5cad",
    behind: "#c0392b",
    total: "#5b6470",
    benchmark: "#c0392b",
    lines: ["#5b6470", "#a61b1b", "#7fa7d4", "#0b5cad"],
  };
  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif';
  var ROW_HEIGHT = 28; // pixels per unit in a horizontal ranking
  var MANY = 16; // more categories than this: a zoom bar under a vertical bar chart
  // Tooltips drawn on the canvas: ECharts' HTML tooltips carry style attributes, which the
  // Content-Security-Policy (style-src 'self') refuses.
  var TOOLTIP_MODE = "richText";

  function fmt(value, places) {
    return value === null || value === undefined ? "—" : Number(value).toFixed(places);
  }

  function toolbox(data) {
    // Top right, 16 px, no padding: the icon's centre is 16 px in from the corner.
    return {
      right: 8,
      top: 8,
      itemSize: 16,
      padding: 0,
      feature: {
        saveAsImage: { name: data.file || data.title, title: "保存为图片", pixelRatio: 2, backgroundColor: "#fff" },
      },
    };
  }

  function benchmarkLine(data) {
    return {
      silent: true,
      symbol: "none",
      lineStyle: { type: "dashed", color: COLORS.benchmark, width: 1.5 },
      label: { formatter: "序时进度\n" + data.benchmark + "%", position: "end", color: COLORS.benchmark },
      data: [{ yAxis: data.benchmark }],
    };
  }

  // Category names (up to four characters) lie flat while each has about 64 px.
  function crowded(n, width) {
    return Math.min(n, MANY) * 64 > width;
  }

  function completionOption(data, places, width) {
    var n = data.categories.length;
    var values = data.values.map(function (v, i) {
      var color = i === data.total_index ? COLORS.total : data.behind[i] ? COLORS.behind : COLORS.bar;
      return { value: v, itemStyle: { color: color } };
    });
    var top = Math.max.apply(null, data.values.concat([data.benchmark]).filter(function (v) { return v !== null; }));
    var option = {
      textStyle: { fontFamily: FONT },
      toolbox: toolbox(data),
      tooltip: { trigger: "axis", renderMode: TOOLTIP_MODE, valueFormatter: function (v) { return fmt(v, places) + "%"; } },
      grid: { left: 8, right: 84, top: 36, bottom: n > MANY ? 56 : 8, containLabel: true },
      xAxis: { type: "category", data: data.categories, axisLabel: { interval: 0, rotate: crowded(n, width) ? 40 : 0 } },
      yAxis: { type: "value", name: "%", max: Math.ceil(Math.max(top, 100) / 10) * 10 },
      series: [{
        type: "bar",
        name: "目标完成情况",
        data: values,
        barMaxWidth: 48,
        label: { show: n <= MANY, position: "top", formatter: function (p) { return fmt(p.value, places); } },
        markLine: benchmarkLine(data),
      }],
    };
    if (n > MANY) option.dataZoom = [{ type: "slider", bottom: 8, startValue: 0, endValue: MANY - 1 }];
    return option;
  }

  function rankingOption(data) {
    var places = data.unit === "%" ? 1 : 0;
    return {
      textStyle: { fontFamily: FONT },
      toolbox: toolbox(data),
      tooltip: {
        trigger: "axis",
        renderMode: TOOLTIP_MODE,
        axisPointer: { type: "shadow" },
        valueFormatter: function (v) { return fmt(v, places) + data.unit; },
      },
      grid: { left: 8, right: 56, top: 36, bottom: 36, containLabel: true },
      xAxis: { type: "value", name: data.measure, nameLocation: "middle", nameGap: 28 },
      yAxis: {
        type: "category",
        inverse: true,
        data: data.categories.map(function (c, i) { return data.ranks[i] + ". " + c; }),
      },
      series: [{
        type: "bar",
        name: data.measure,
        data: data.values,
        itemStyle: { color: COLORS.bar },
        barMaxWidth: 22,
        label: { show: true, position: "right", formatter: function (p) { return fmt(p.value, places); } },
      }],
    };
  }

  function trendOption(data) {
    return {
      textStyle: { fontFamily: FONT },
      toolbox: toolbox(data),
      legend: { bottom: 0, left: "center", type: "scroll" },
      tooltip: { trigger: "axis", renderMode: TOOLTIP_MODE, valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + data.unit; } },
      grid: { left: 8, right: 24, top: 40, bottom: 36, containLabel: true },
      xAxis: { type: "category", data: data.categories, boundaryGap: false },
      yAxis: { type: "value", name: data.unit },
      series: data.series.map(function (s, i) {
        var color = COLORS.lines[i % COLORS.lines.length];
        return {
          type: "line",
          name: s.name,
          data: s.values,
          connectNulls: false,
          symbolSize: 7,
          itemStyle: { color: color },
          lineStyle: { color: color, width: 2, type: s.last_year ? "dashed" : "solid" },
        };
      }),
    };
  }

  function progressOption(data, width) {
    return completionOption(
      { categories: data.categories, values: data.values, behind: data.behind, total_index: -1, benchmark: data.benchmark, file: data.file, title: data.title },
      1,
      width
    );
  }

  var BUILDERS = {
    completion: function (d, width) { return completionOption(d, 1, width); },
    ranking: rankingOption,
    trend: trendOption,
    progress: progressOption,
  };

  var charts = [];
  document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var build = BUILDERS[data.kind];
    if (!build) return;
    el.hidden = false;
    if (data.kind === "ranking") {
      el.style.height = Math.max(240, data.categories.length * ROW_HEIGHT + 80) + "px";
    }
    var chart = window.echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption(build(data, el.clientWidth));
    charts.push(chart);
    // The chart now shows the figures; the table stays one click away.
    var table = el.parentElement.querySelector("details.chart-table");
    if (table) table.open = false;
  });

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 100);
  });
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
})();
