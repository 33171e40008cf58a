/* On a narrow screen the header's navigation and tools fold behind a "Menu" button (shown only
   when this script runs: without it everything stays in view), and the client's row of tabs
   shows its current tab. */
(function () {
  "use strict";
  var tab = document.querySelector(".client-nav [aria-current=page]");
  var strip = tab && tab.closest("ul");
  if (strip && strip.scrollWidth > strip.clientWidth) {
    var left = tab.getBoundingClientRect().left - strip.getBoundingClientRect().left + strip.scrollLeft;
    strip.scrollLeft = left - (strip.clientWidth - tab.offsetWidth) / 2;
  }
  var toggle = document.querySelector(".menu-toggle");
  var menu = document.getElementById("site-menu");
  if (!toggle || !menu) {
    return;
  }
  document.documentElement.classList.add("has-menu-toggle");
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("is-open", open);
  });
})();
