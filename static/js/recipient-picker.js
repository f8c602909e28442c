// The recipient picker of outgoing documents (documents/widgets.py): a search box that filters the
// checkbox list (without diacritics, by name or code) and the chosen recipients, each removable.
// Without this script the page shows the plain list of checkboxes.
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D")
      .toLowerCase().replace(/\s+/g, " ").trim();
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  function init(picker) {
    var search = picker.querySelector(".recipient-picker-search");
    var input = search.querySelector("input[type=search]");
    var count = search.querySelector("[aria-live]");
    var chosenBox = picker.querySelector(".recipient-picker-chosen");
    var chosenList = chosenBox.querySelector("[data-chosen]");
    var chosenCount = chosenBox.querySelector("[data-chosen-count]");
    var chosenEmpty = chosenBox.querySelector("[data-chosen-empty]");
    var options = Array.prototype.map.call(picker.querySelectorAll("[data-option]"), function (row) {
      var box = row.querySelector("input[type=checkbox]");
      var label = row.querySelector("label").textContent.trim();
      return { row: row, box: box, label: label, key: fold(label + " " + box.value) };
    });

    function filter() {
      var words = fold(input.value).split(" ").filter(Boolean);
      var shown = 0;
      options.forEach(function (o) {
        var match = words.every(function (w) { return o.key.indexOf(w) !== -1; });
        o.row.hidden = !match;
        if (match) { shown += 1; }
      });
      picker.querySelectorAll(".recipient-picker-group").forEach(function (group) {
        group.hidden = !group.querySelector("[data-option]:not([hidden])");
      });
      if (!words.length) {
        count.textContent = "";
      } else if (shown === 0) {
        count.textContent = count.dataset.templateNone;
      } else if (shown === 1) {
        count.textContent = count.dataset.templateOne;
      } else {
        count.textContent = format(count.dataset.templateMany, { n: shown });
      }
    }

    function renderChosen() {
      chosenList.textContent = "";
      var chosen = options.filter(function (o) { return o.box.checked; });
      chosen.forEach(function (o) {
        var item = document.createElement("li");
        item.className = "list-inline-item";
        var button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-sm btn-outline-secondary";
        button.dataset.value = o.box.value;
        button.setAttribute("aria-label", format(chosenList.dataset.removeLabel, { name: o.label }));
        button.textContent = o.label + " \u00d7";
        button.addEventListener("click", function () {
          o.box.checked = false;
          renderChosen();
          input.focus();
        });
        item.appendChild(button);
        chosenList.appendChild(item);
      });
      chosenCount.textContent = chosen.length ? "(" + chosen.length + ")" : "";
      chosenEmpty.hidden = chosen.length > 0;
    }

    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        // Enter in the search box must not submit the draft: it moves to the first match.
        event.preventDefault();
        var first = options.filter(function (o) { return !o.row.hidden; })[0];
        if (first) { first.box.focus(); }
      }
    });
    options.forEach(function (o) { o.box.addEventListener("change", renderChosen); });
    search.hidden = false;
    chosenBox.hidden = false;
    renderChosen();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-recipient-picker]").forEach(init);
  });
})();
