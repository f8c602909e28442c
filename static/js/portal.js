/* The portal's own page behaviour, kept out of the templates: the Content-Security-Policy allows no
   inline script (portal/settings.py). Each part acts only where its markup is present. */
(function () {
  "use strict";
  // <select data-autosubmit>: submit the form when the choice changes (dashboard year pickers).
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { if (el.form) { el.form.submit(); } });
  });
  // Registration: show the fields of the chosen kind (citizen or business).
  var kinds = document.querySelectorAll('input[name="kind"]');
  if (kinds.length && document.querySelector("[data-kind]")) {
    var sync = function () {
      var checked = document.querySelector('input[name="kind"]:checked');
      var kind = checked ? checked.value : "citizen";
      document.querySelectorAll("[data-kind]").forEach(function (el) { el.hidden = el.dataset.kind !== kind; });
    };
    kinds.forEach(function (el) { el.addEventListener("change", sync); });
    sync();
  }
})();
