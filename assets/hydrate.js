/* The served page already holds its content (dashboard/page_html.py): #ssr is the page
 * written on the server, charts as static SVG. Dash renders the interactive page out of
 * sight in #react-entry-point from the layout carried in the page (this script answers
 * Dash's request for /_dash-layout from it, so there is no round trip), and once every
 * chart in it is drawn the two swap in one frame: the same boxes, so nothing moves.
 * A control the reader changed on the served page meanwhile is carried over. Without
 * JavaScript, or if a script fails, the served page simply stays.
 */
(function () {
  'use strict';
  var SWAP_DEADLINE_MS = 10000;
  var root = document.documentElement;
  var nativeFetch = window.fetch.bind(window);
  var page = 'page=' + encodeURIComponent(window.location.pathname + window.location.search);
  var carriedLayout = document.getElementById('_page-layout');
  // The callback graph changes only with the site's code: asked for by version, it is kept.
  var dependencies = carriedLayout && carriedLayout.getAttribute('data-dependencies');

  window.fetch = function (input, init) {
    var url = typeof input === 'string' ? input : (input && input.url) || '';
    if (/\/_dash-layout(\?|$)/.test(url)) {
      var carried = document.getElementById('_page-layout');
      if (carried) {
        var body = carried.textContent;
        carried.parentNode.removeChild(carried);
        return Promise.resolve(new Response(body, {
          status: 200, headers: { 'Content-Type': 'application/json' }
        }));
      }
      return nativeFetch(url + (url.indexOf('?') < 0 ? '?' : '&') + page, init);
    }
    if (dependencies && /\/_dash-dependencies$/.test(url)) {
      return nativeFetch(url + '?v=' + encodeURIComponent(dependencies), init);
    }
    return nativeFetch(input, init);
  };

  function chartsDrawn(app) {
    if (!app.querySelector('.site')) { return false; }
    var graphs = app.querySelectorAll('.dash-graph');
    for (var i = 0; i < graphs.length; i += 1) {
      var hidden = graphs[i].closest('[style*="display: none"], [style*="display:none"]');
      if (!hidden && !graphs[i].querySelector('.main-svg')) { return false; }
    }
    return true;
  }

  // Controls changed on the served page before the interactive one was ready: set them on
  // the interactive page, as if changed there (its callbacks run).
  function carryOver(served) {
    var clientside = window.dash_clientside;
    if (!clientside || !clientside.set_props) { return; }
    served.querySelectorAll('select[id]').forEach(function (select) {
      var chosen = Array.prototype.filter.call(select.options, function (o) {
        return o.defaultSelected;
      })[0];
      if (chosen && select.value !== chosen.value) {
        clientside.set_props(select.id, { value: select.value });
      }
    });
    served.querySelectorAll('div[id]').forEach(function (group) {
      var inputs = group.querySelectorAll(':scope > .form-check > input.form-check-input');
      if (!inputs.length) { return; }
      var changed = Array.prototype.some.call(inputs, function (i) {
        return i.checked !== i.defaultChecked;
      });
      if (!changed) { return; }
      var checked = Array.prototype.filter.call(inputs, function (i) { return i.checked; })
        .map(function (i) { return i.value; });
      var value = inputs[0].type === 'radio' ? checked[0] : checked;
      clientside.set_props(group.id, { value: value });
    });
  }

  var swapped = false;
  function swap() {
    if (swapped) { return; }
    swapped = true;
    var served = document.getElementById('ssr');
    var focused = served && document.activeElement && served.contains(document.activeElement)
      ? document.activeElement.id : '';
    root.classList.add('hydrated');
    if (served) {
      carryOver(served);
      served.parentNode.removeChild(served);
    }
    if (focused) {
      var twin = document.getElementById(focused);
      if (twin) { twin.focus({ preventScroll: true }); }
    }
    document.dispatchEvent(new CustomEvent('lead:hydrated'));
  }

  function watch() {
    var app = document.getElementById('react-entry-point');
    if (!app || !document.getElementById('ssr')) { swap(); return; }
    var observer = new MutationObserver(function () {
      if (chartsDrawn(app)) {
        observer.disconnect();
        window.requestAnimationFrame(swap);
      }
    });
    observer.observe(app, { childList: true, subtree: true });
    window.setTimeout(function () { observer.disconnect(); swap(); }, SWAP_DEADLINE_MS);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', watch);
  } else {
    watch();
  }
}());
