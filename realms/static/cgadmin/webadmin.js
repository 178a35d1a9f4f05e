// WebAdmin behaviour that helps but is never required: every page works without it (the server
// checks every confirmation and every value).
(function () {
  "use strict";

  // A form that came back with errors: the first one gets the focus, where the user is looking.
  function focusFirstError() {
    var field = document.querySelector(
      ".field.invalid input, .field.invalid select, .field.invalid textarea, .setting.invalid input, " +
      ".setting.invalid select, .setting.invalid textarea");
    if (field) {
      field.focus();
      return;
    }
    var alert = document.querySelector("main .error[role=alert]");
    if (alert) {
      alert.setAttribute("tabindex", "-1");
      alert.focus();
    }
  }

  // A password generator: at least 16 characters (more when the domain's MinPasswordLength asks,
  // the button's data-min-length) from letters and digits (no look-alikes), always with a letter, a
  // digit and one of .-_! so that it meets every PasswordComplexity.
  function generatePassword(minLength) {
    var letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    var marks = ".-_!";
    var length = Math.min(Math.max(16, minLength || 0), 128);
    var random = new Uint32Array(length + 1);
    for (;;) {
      window.crypto.getRandomValues(random);
      var chars = [];
      for (var i = 0; i < length - 1; i++) chars.push(letters[random[i] % letters.length]);
      chars.splice(random[length - 1] % length, 0, marks[random[length] % marks.length]);
      var password = chars.join("");
      if (/[a-zA-Z]/.test(password) && /[0-9]/.test(password)) return password;
    }
  }

  function wireGenerators() {
    document.querySelectorAll("button[data-generate-for]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var input = document.getElementById(button.getAttribute("data-generate-for"));
        if (!input) return;
        var password = generatePassword(parseInt(button.getAttribute("data-min-length") || "0", 10));
        input.value = password;
        input.type = "text"; // the administrator must see it to pass it on
        var confirm = document.getElementById(button.getAttribute("data-confirm-field") || "");
        if (confirm) confirm.value = password;
        var note = document.getElementById(button.getAttribute("aria-controls") || "");
        if (note) note.textContent = button.getAttribute("data-done") || "";
        input.focus();
        input.select();
      });
    });
  }

  // "Select all" in a list with row checkboxes.
  function wireSelectAll() {
    document.querySelectorAll("input[data-select-all]").forEach(function (all) {
      var name = all.getAttribute("data-select-all");
      var form = all.form;
      all.hidden = false;
      all.addEventListener("change", function () {
        form.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (box) {
          box.checked = all.checked;
        });
      });
    });
  }

  // A table that scrolls sideways in its box (a phone's width) must scroll from the keyboard too:
  // when nothing inside can take the focus (a read-only table), the box itself takes it, named by the
  // table's caption. A box that fits takes no tab stop.
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), " +
    "select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";
  function reachScrollingTables() {
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      var reachable = box.querySelector(FOCUSABLE) !== null;
      if (scrolls && !reachable && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-stop", "");
        var caption = box.querySelector("caption");
        if (caption) {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", caption.textContent.trim());
        }
      } else if (!scrolls && box.hasAttribute("data-scroll-stop")) {
        ["tabindex", "data-scroll-stop", "role", "aria-label"].forEach(function (name) {
          box.removeAttribute(name);
        });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusFirstError();
    wireGenerators();
    wireSelectAll();
    reachScrollingTables();
    window.addEventListener("resize", reachScrollingTables);
    document.addEventListener("cgadmin:content-replaced", reachScrollingTables);  // a Monitors refresh
  });
})();
