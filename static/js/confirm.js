// A button that does what cannot be undone (印发 takes a document number; 吊销 ends a token)
// asks first: data-confirm holds the question. Without JavaScript the button acts at once,
// as it says; the page beside it says what it does.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = button && button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
