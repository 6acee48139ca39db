/* Briefing presentation mode: [data-present] starts it; one .brief-slide at a time, large
 * type; ArrowRight / PageDown / Space next, ArrowLeft / PageUp previous, Home / End, Escape
 * ends. Full screen where the browser allows it. Print button: [data-print]. */
(function () {
  'use strict';
  var state = null;

  function slides(root) { return Array.prototype.slice.call(root.querySelectorAll('.brief-slide')); }

  function resizeCharts(root) {
    if (!window.Plotly) { return; }
    root.querySelectorAll('.brief-slide.is-current .js-plotly-plot').forEach(function (graph) {
      window.Plotly.Plots.resize(graph);
    });
  }

  function show(index) {
    var all = slides(state.root);
    state.index = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (slide, i) {
      slide.classList.toggle('is-current', i === state.index);
      if (i === state.index) { slide.setAttribute('aria-current', 'step'); }
      else { slide.removeAttribute('aria-current'); }
    });
    state.status.textContent = 'Slide ' + (state.index + 1) + ' of ' + all.length +
      ' (arrow keys to move, Escape to end)';
    window.requestAnimationFrame(function () { resizeCharts(state.root); });
  }

  function start(root) {
    state = { root: root, index: 0, status: document.createElement('p') };
    state.status.className = 'present-status';
    state.status.setAttribute('role', 'status');
    root.appendChild(state.status);
    root.classList.add('is-presenting');
    root.setAttribute('tabindex', '-1');
    root.focus();
    if (root.requestFullscreen) { root.requestFullscreen().catch(function () {}); }
    show(0);
  }

  function stop() {
    if (!state) { return; }
    var root = state.root;
    root.classList.remove('is-presenting');
    slides(root).forEach(function (slide) {
      slide.classList.remove('is-current');
      slide.removeAttribute('aria-current');
    });
    state.status.remove();
    state = null;
    if (document.fullscreenElement && document.exitFullscreen) {
      document.exitFullscreen().catch(function () {});
    }
    window.requestAnimationFrame(function () { resizeCharts(root); });
    var button = document.querySelector('[data-present]');
    if (button) { button.focus(); }
  }

  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    var present = target.closest('[data-present]');
    if (present) {
      var root = document.getElementById(present.getAttribute('data-present'));
      if (root) { start(root); }
      return;
    }
    if (target.closest('[data-print]')) { window.print(); }
  });

  document.addEventListener('keydown', function (event) {
    if (!state) { return; }
    var keys = {
      ArrowRight: 1, PageDown: 1, ' ': 1, ArrowDown: 1,
      ArrowLeft: -1, PageUp: -1, ArrowUp: -1,
    };
    if (event.key === 'Escape') { event.preventDefault(); stop(); return; }
    if (event.key === 'Home') { event.preventDefault(); show(0); return; }
    if (event.key === 'End') { event.preventDefault(); show(slides(state.root).length - 1); return; }
    if (keys[event.key]) { event.preventDefault(); show(state.index + keys[event.key]); }
  });

  document.addEventListener('fullscreenchange', function () {
    if (state && !document.fullscreenElement && state.wasFullscreen) { stop(); }
    if (state && document.fullscreenElement) { state.wasFullscreen = true; }
  });
}());
