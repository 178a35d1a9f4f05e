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

  // A password generator: 16 characters from letters and digits (no look-alikes), and one of .-_!
  function generatePassword() {
    var letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    var marks = ".-_!";
    var random = new Uint32Array(17);
    window.crypto.getRandomValues(random);
    var chars = [];
    for (var i = 0; i < 15; i++) chars.push(letters[random[i] % letters.length]);
    chars.splice(random[15] % 16, 0, marks[random[16] % marks.length]);
    return chars.join("");
  }

  function wireGenerators() {
    document.querySelectorAll("button[data-generate-for]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var input = document.getElementById(button.getAttribute("data-generate-for"));
        if (!input) return;
        var password = generatePassword();
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

  document.addEventListener("DOMContentLoaded", function () {
    focusFirstError();
    wireGenerators();
    wireSelectAll();
  });
})();
