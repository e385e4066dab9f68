/*
 * On a phone the main navigation and the language and account tools fold behind one
 * "Menu" button, so that the header takes a line or two instead of half the screen.
 * Without this script the button stays hidden and everything stays open.
 */
(function () {
  "use strict";
  function setUp() {
    var header = document.querySelector(".site-header");
    var button = header && header.querySelector(".menu-button");
    if (!button) {
      return;
    }
    header.classList.add("menu-closed");
    button.hidden = false;
    button.addEventListener("click", function () {
      var closed = header.classList.toggle("menu-closed");
      button.setAttribute("aria-expanded", closed ? "false" : "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !header.classList.contains("menu-closed")) {
        header.classList.add("menu-closed");
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
