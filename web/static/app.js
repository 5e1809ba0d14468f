// Progressive enhancement only: every page works without this file.
// Facet checkboxes and the sort select submit their form on change, saving a click on "Apply".
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (!el.classList || !el.classList.contains("js-autosubmit") || !el.form) return;
    // A changed filter starts again at page 1: the form has no page field, so submitting drops it.
    if (typeof el.form.requestSubmit === "function") el.form.requestSubmit();
    else el.form.submit();
  });
})();
