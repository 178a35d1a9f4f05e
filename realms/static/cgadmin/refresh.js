// Monitors pages refresh their data every few seconds (WebAdmin Preferences: Refresh every) without
// ever discarding what the administrator is doing: the page's content is fetched again and swapped
// in only while no field has the focus, the keyboard focus is not on a link or button of the content,
// and no form on the page has been changed; a hidden tab waits. When the session has ended, the
// server answers with its login form: the page is loaded again (the browser then shows that form at
// its own address) instead of the form being put into this page.
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
    var reading = active && active !== main && main.contains(active);  // a keyboard user's place
    return changed || typing || reading || document.hidden;
  }

  function swapIn(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("content");
    if (fresh && !busy()) {
      main.innerHTML = fresh.innerHTML;
      main.setAttribute("data-refreshed", String(Date.now()));
      document.dispatchEvent(new CustomEvent("cgadmin:content-replaced"));
    }
  }

  function refresh() {
    if (busy()) { return; }
    fetch(window.location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) {
        if (response.redirected) {  // the login form (the session ended) or another page: not data
          if (!busy()) { window.location.reload(); }
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) { if (html) { swapIn(html); } })
      .catch(function () { /* the server away for a moment: try again at the next tick */ });
  }

  window.setInterval(refresh, seconds * 1000);
}());
