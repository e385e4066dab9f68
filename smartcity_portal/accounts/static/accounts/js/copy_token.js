// Copy the newly created API token: the button only appears when the Clipboard API exists.
(function () {
  "use strict";
  var button = document.getElementById("copy-token");
  var field = document.getElementById("new-token");
  if (!button || !field || !navigator.clipboard) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(field.value).then(function () {
      button.textContent = button.getAttribute("data-copied");
    });
  });
  field.addEventListener("focus", function () {
    field.select();
  });
})();
