/* The interactive page loads when the reader first interacts (dashboard/page_html.py).
 *
 * The served page is complete (content, data tables, charts as SVG), so its scripts are
 * not run on load: Dash, React and plotly.js (about 2.7 MB of script) wait in an inert
 * <template> until the reader moves the pointer, touches, scrolls, presses a key or
 * focuses something. Then they load in their order, Dash renders the interactive page out
 * of sight, and it takes the served page's place (assets/hydrate.js). A reader who only
 * reads never pays for them; the first chart is on screen with the HTML.
 * window.leadHydrate() starts the same (the PDF printer and the tests call it).
 */
(function () {
  'use strict';
  var EVENTS = ['pointerdown', 'pointermove', 'touchstart', 'keydown', 'wheel', 'scroll',
    'focusin'];
  var started = false;

  function start() {
    if (started) { return; }
    started = true;
    EVENTS.forEach(function (name) { window.removeEventListener(name, start, true); });
    var template = document.getElementById('interactive-page');
    if (!template) { return; }
    var inline = [];
    var last = null;
    Array.prototype.forEach.call(template.content.querySelectorAll('script'), function (node) {
      if (node.src) {
        var script = document.createElement('script');
        script.src = node.src;
        script.async = false;  // run in document order, as the tags were written
        document.body.appendChild(script);
        last = script;
      } else if (node.id !== '_dash-renderer') {
        inline.push(node.textContent);
      }
    });
    var run = function () {
      inline.forEach(function (code) {
        var script = document.createElement('script');
        script.textContent = code;
        document.body.appendChild(script);
      });
      if (window.DashRenderer) { window.leadRenderer = new window.DashRenderer(); }
    };
    if (last) { last.addEventListener('load', run); } else { run(); }
  }

  window.leadHydrate = start;
  EVENTS.forEach(function (name) {
    window.addEventListener(name, start, { capture: true, passive: true });
  });
}());
