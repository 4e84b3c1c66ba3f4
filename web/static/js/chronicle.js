// Small enhancements; every page works without them.
(function () {
  "use strict";

  // Any view can be cited: copy its address (the state lives in the URL).
  var controls = document.querySelector("form[data-shareable] fieldset");
  if (controls && navigator.clipboard) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link copy-link";
    button.textContent = "Copy a link to this view";
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(window.location.href).then(function () {
        button.textContent = "Link copied";
      });
    });
    controls.appendChild(button);
  }

  // After a refused form, take keyboard and screen-reader users to the list of problems.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

  // Printed pages carry their citations.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.setAttribute("open", ""); });
  });
})();
