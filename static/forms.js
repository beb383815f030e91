/* Moves focus to a form's error summary when a page is answered with errors,
   so that screen readers read it and the eye finds it; its links then focus
   their fields. Without this script the page still opens at the summary
   where the form posts to its anchor. */
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary[data-focus]");
  if (!summary || summary.hasAttribute("data-focused")) return;
  summary.setAttribute("data-focused", "");
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.scrollIntoView();  /* its scroll-margin keeps the label in view */
    field.focus({ preventScroll: true });
  });
})();
