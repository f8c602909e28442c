/* E-forms (dossiers/eform/form.html): show B when A, repeating groups, locked choices.
   No inline script (CSP); the server checks everything again on submission. */
(function () {
  "use strict";
  function valueOf(form, name) {
    var els = form.querySelectorAll('[name="' + name + '"]');
    if (!els.length) return "";
    var el = els[0];
    if (el.type === "checkbox") return el.checked ? "true" : "false";
    return (el.value || "").trim().toLowerCase();
  }
  function applyConditions(root) {
    var form = root.closest("form") || document;
    root.querySelectorAll("[data-show-field]").forEach(function (box) {
      var show = valueOf(form, box.getAttribute("data-show-field")) === box.getAttribute("data-show-equals");
      box.hidden = !show;
      box.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !show; });
    });
  }
  function renumber(group) {
    var name = group.getAttribute("data-group");
    group.querySelectorAll(".eform-row").forEach(function (row, i) {
      row.setAttribute("data-row", i);
      row.querySelectorAll("[name]").forEach(function (el) {
        var sub = el.name.replace(/^.*-\d+-/, "");
        el.name = name + "-" + i + "-" + sub;
        el.id = "id_" + el.name;
      });
      row.querySelectorAll("label[for]").forEach(function (l) {
        var sub = l.getAttribute("for").replace(/^.*-\d+-/, "");
        l.setAttribute("for", "id_" + name + "-" + i + "-" + sub);
      });
    });
  }
  function init(root) {
    applyConditions(root);
    root.addEventListener("change", function () { applyConditions(root); });
    root.addEventListener("input", function () { applyConditions(root); });
    root.querySelectorAll("select[data-locked]").forEach(function (sel) {
      sel.addEventListener("mousedown", function (e) { e.preventDefault(); });
      sel.addEventListener("keydown", function (e) { e.preventDefault(); });
    });
    root.querySelectorAll("[data-group]").forEach(function (group) {
      group.addEventListener("click", function (e) {
        var rows = group.querySelectorAll(".eform-row");
        if (e.target.matches("[data-add-row]")) {
          if (rows.length >= parseInt(group.getAttribute("data-max") || "20", 10)) return;
          var copy = rows[rows.length - 1].cloneNode(true);
          copy.querySelectorAll("input, select, textarea").forEach(function (el) {
            if (el.type === "checkbox") el.checked = false; else el.value = "";
            el.classList.remove("is-invalid");
          });
          copy.querySelectorAll(".invalid-feedback").forEach(function (d) { d.remove(); });
          e.target.before(copy);
          renumber(group);
        } else if (e.target.matches("[data-remove-row]")) {
          var row = e.target.closest(".eform-row");
          if (rows.length > 1) row.remove(); else row.querySelectorAll("input, select").forEach(function (el) { el.value = ""; });
          renumber(group);
        }
      });
    });
  }
  document.querySelectorAll("[data-eform]").forEach(init);
})();
