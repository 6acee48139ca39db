/* For pages that embed a chart from the Belltown LEAD transparency dashboard: load once,
 *   <script src="https://<dashboard>/assets/embed-host.js" async></script>
 * and every dashboard iframe on the page takes the height of its content (the embedded card
 * reports it by postMessage; only messages from the iframe's own window and origin count). */
(function () {
  "use strict";
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "lead-embed-height" || typeof data.height !== "number") return;
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i++) {
      var frame = frames[i];
      if (frame.contentWindow !== event.source) continue;
      if (new URL(frame.src, window.location.href).origin !== event.origin) return;
      frame.style.height = Math.max(200, Math.min(data.height, 4000)) + "px";
      return;
    }
  });
})();
