// Monitors pages refresh their data every few seconds (WebAdmin Preferences: Refresh every) without
// ever discarding what the administrator is doing: the page's content is fetched again and swapped
// in only while no field has the focus and no form on the page has been changed; a hidden tab waits.
(function () {
  "use strict";
  var main = document.getElementById("content");
  var seconds = main ? parseInt(main.getAttribute("data-refresh"), 10) : 0;
  if (!main || !(seconds > 0)) { return; }
  var changed = false;
  document.addEventListener("input", function () { changed = true; });
  document.addEventListener("change", function () { changed = true; });

  function busy() {
    var active = document.activeElement;
    var typing = active && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName);
    return changed || typing || document.hidden;
  }

  function swapIn(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("content");
    if (fresh && !busy()) {
      main.innerHTML = fresh.innerHTML;
      main.setAttribute("data-refreshed", String(Date.now()));
    }
  }

  function refresh() {
    if (busy()) { return; }
    fetch(window.location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html) { swapIn(html); } })
      .catch(function () { /* the server away for a moment: try again at the next tick */ });
  }

  window.setInterval(refresh, seconds * 1000);
}());
