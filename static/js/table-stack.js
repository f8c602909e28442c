// Phone layout of wide tables (portal.css ".table-stack"): each cell shows its column's name.
// Cells that already carry data-label keep it; a cell spanning columns gets none.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("table.table-stack").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        if (!cell.hasAttribute("data-label") && !cell.classList.contains("stack-title") && cell.colSpan === 1 && heads[i]) {
          cell.setAttribute("data-label", heads[i]);
        }
      });
    });
  });
});
