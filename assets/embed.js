/* Inside /embed/<card>: tell the embedding page how tall the card is, so its iframe can fit
 * it (assets/embed-host.js listens). Sends {type: "lead-embed-height", card, height} on load
 * and whenever the content's size changes (a chart drawn, a table opened). */
(function () {
  "use strict";
  if (window.parent === window || !window.ResizeObserver) return;
  var card = window.location.pathname.split("/").pop();
  var last = 0;
  function send() {
    var page = document.querySelector(".embed-page");
    if (!page) return;
    var height = Math.ceil(page.getBoundingClientRect().height) + 16;
    if (Math.abs(height - last) < 2) return;
    last = height;
    window.parent.postMessage({ type: "lead-embed-height", card: card, height: height }, "*");
  }
  var observer = new ResizeObserver(send);
  function watch() {
    var page = document.querySelector(".embed-page");
    if (page) { observer.observe(page); send(); } else { window.setTimeout(watch, 200); }
  }
  watch();
})();
