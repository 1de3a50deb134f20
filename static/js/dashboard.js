// Small helps on the dashboards; every one of them also works without JavaScript.
(function () {
  "use strict";

  // A choice in a picker shows its result at once; without JavaScript the form's button does.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // Copy the generated circular text. navigator.clipboard needs HTTPS (or localhost); on a
  // plain-HTTP intranet the text is selected and copied the older way.
  function selectContents(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source) return;
    var label = button.textContent;
    function done() {
      button.textContent = button.dataset.copied;
      setTimeout(function () { button.textContent = label; }, 2000);
    }
    function fallback() {
      selectContents(source);
      try {
        if (document.execCommand("copy")) done();
      } catch (e) {
        // The text stays selected: Ctrl+C copies it.
      }
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = Array.prototype.map.call(source.querySelectorAll("p"), function (p) {
        return p.textContent.trim();
      }).join("\n");
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, fallback);
      } else {
        fallback();
      }
    });
  });
})();
