/* Progress of a streamed signing batch (dossiers.signing_views): after each result row the server
   streams <template class="sign-tick" data-done data-total data-signed data-finished>; this script,
   loaded before the rows, moves the bar as they arrive (no inline script: see the CSP). */
(function () {
  "use strict";
  var list = document.getElementById("sign-result-list");
  if (!list) { return; }
  function tick(t) {
    var done = +t.dataset.done, total = +t.dataset.total, signed = t.dataset.signed;
    var p = document.getElementById("sign-progress"), bar = document.getElementById("sign-progress-bar");
    p.dataset.done = done;
    bar.style.width = Math.round(100 * done / total) + "%";
    bar.textContent = done + "/" + total;
    bar.parentElement.setAttribute("aria-valuenow", done);
    if (t.dataset.finished === "1") {
      p.dataset.signed = signed;
      document.getElementById("sign-progress-text").textContent =
        (p.dataset.finishedText || "").replace("%(done)s", done).replace("%(signed)s", signed);
    }
  }
  new MutationObserver(function (records) {
    records.forEach(function (r) {
      r.addedNodes.forEach(function (n) { if (n.nodeType === 1 && n.classList.contains("sign-tick")) { tick(n); } });
    });
  }).observe(list, { childList: true });
  list.querySelectorAll(".sign-tick").forEach(tick);
})();
