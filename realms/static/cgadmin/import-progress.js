// An import's page follows its progress without reloading: every few seconds the page is fetched
// again and its progress paragraph (bar, percent, time left) swapped in; when the import is over the
// page is loaded again whole, for its report. Without scripts a <noscript> refresh does the same.
(function () {
  "use strict";
  var progress = document.getElementById("progress");
  var seconds = progress ? parseInt(progress.getAttribute("data-poll"), 10) : 0;
  if (!progress || !(seconds > 0)) { return; }

  function update() {
    fetch(window.location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("progress");
        if (!fresh || !fresh.hasAttribute("data-poll")) { window.location.reload(); return; }
        progress.innerHTML = fresh.innerHTML;
      })
      .catch(function () { /* the server away for a moment: try again at the next tick */ });
  }

  window.setInterval(update, seconds * 1000);
}());
