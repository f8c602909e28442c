/* The fee total shown while the applicant picks the case and the copies (issue 14). Display only:
   the portal computes the total again from the same choice (procedures.fees). */
(function () {
  "use strict";
  var box = document.getElementById("fee-choice");
  var data = document.getElementById("fee-lines-data");
  if (!box || !data) return;
  var lines = JSON.parse(data.textContent);
  function vnd(n) {
    return n === 0 ? box.dataset.free : String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".") + " đ";
  }
  function update() {
    var picked = box.querySelector("input[name='fee_case']:checked");
    var copiesInput =
      box.querySelector("input[name='fee_copies']") || document.getElementById("id_ef-copies");
    var copies = copiesInput ? parseInt(copiesInput.value, 10) : 1;
    if (!(copies >= 1)) copies = 1;
    var firstCase = lines.filter(function (l) { return l.kind === "case"; })[0];
    var chosen = picked ? parseInt(picked.value, 10) : (firstCase ? firstCase.index : null);
    var list = document.getElementById("fee-lines");
    list.textContent = "";
    var total = 0;
    lines.forEach(function (l) {
      if (l.kind === "case" && l.index !== chosen) return;
      var qty = l.kind === "per_copy" ? Math.max(copies - l.free_copies, 0) : 1;
      if (qty === 0) return;
      var amount = parseInt(l.amount, 10) * qty;
      total += amount;
      var li = document.createElement("li");
      li.textContent = l.name + (qty > 1 ? " × " + qty : "") + ": " + vnd(amount);
      list.appendChild(li);
    });
    document.getElementById("fee-total").textContent = vnd(total);
  }
  var form = box.closest("form") || box;
  form.addEventListener("change", update);
  form.addEventListener("input", update);
})();
