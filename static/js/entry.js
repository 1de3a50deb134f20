// Live feedback on the entry form. The server decides; this only helps a clerk see a wrong
// number before sending it. The bounds and flags come from the server as data attributes
// (indicators.rules), so this file holds no rule of its own beyond reading a number.
// Loaded from our static files (no inline script, see CSP).
(function () {
  "use strict";
  var form = document.querySelector("form.report-form");
  if (!form) return;
  var benchmark = Number(form.dataset.benchmark);

  // Full-width digits and separators (１５０，０００) read as the server reads them (NFKC).
  function halfWidth(text) {
    return String(text).replace(/[\uFF01-\uFF5E]/g, function (ch) {
      return String.fromCharCode(ch.charCodeAt(0) - 0xFEE0);
    }).replace(/\u3000/g, " ");
  }
  // Decimal-safe enough for display: integers up to 2^53 and at most 4 places.
  function parse(text) {
    var t = halfWidth(text).trim().replace(/[,，_ ]/g, "");
    if (t === "") return { empty: true };
    if (!/^\d+(\.\d+)?$/.test(t)) return { error: t.charAt(0) === "-" ? "不能为负数。" : "请只填阿拉伯数字。" };
    return { value: Number(t), fraction: t.indexOf(".") >= 0 && !/^\d+\.0*$/.test(t) };
  }
  function roundHalfUp(x, places) {
    var f = Math.pow(10, places);
    return Math.floor(x * f + 0.5 + 1e-9) / f;
  }

  function update(input) {
    var live = form.querySelector('[data-live-for="' + input.id + '"]');
    if (!live) return;
    live.classList.remove("behind", "ahead");
    var p = parse(input.value);
    var d = input.dataset;
    var places = Number(d.places || 0);
    if (p.empty) { live.textContent = ""; return; }
    if (p.error) { live.textContent = p.error; live.classList.add("behind"); return; }
    if (places === 0 && p.fraction) { live.textContent = "只能填整数。"; live.classList.add("behind"); return; }
    if (d.low !== "" && p.value < Number(d.low)) {
      live.textContent = "累计数不能小于" + d.lowTitle + "的 " + d.low + d.unit + "。";
      live.classList.add("behind");
      return;
    }
    if (d.high !== "" && p.value > Number(d.high)) {
      live.textContent = "累计数不能大于" + d.highTitle + "的 " + d.high + d.unit + "。";
      live.classList.add("behind");
      return;
    }
    var target = d.target;
    if (target === "" || Number(target) === 0) { live.textContent = ""; return; }
    var done = roundHalfUp(p.value / Number(target) * 100, 1);
    if (d.benchmarked !== "1") {
      // A stock's target is a year-end level: 序时进度 does not apply to it.
      live.textContent = "完成年指导目标 " + done.toFixed(1) + "%";
      return;
    }
    var gap = roundHalfUp(done - benchmark, 1);
    // The same words as the page and the circular (indicators.circular.versus_benchmark).
    var versus = gap === 0 ? "与序时进度持平"
      : (gap > 0 ? "高于" : "低于") + "序时进度" + Math.abs(gap).toFixed(1) + "个百分点";
    live.textContent = "完成年指导目标 " + done.toFixed(1) + "%，" + versus;
    live.classList.add(gap >= 0 ? "ahead" : "behind");
  }

  form.querySelectorAll("input.figure-input").forEach(function (input) {
    input.addEventListener("input", function () { update(input); });
    // A field the server refused already says why beside it; the live line stays quiet
    // until the clerk types again, so the message is not shown twice.
    if (input.getAttribute("aria-invalid") !== "true") update(input);
  });
})();
