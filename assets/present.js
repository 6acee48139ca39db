/* Briefing presentation mode: [data-present] starts it; one .brief-slide at a time, large
 * type; ArrowRight / PageDown / Space next, ArrowLeft / PageUp previous, Home / End, Escape
 * ends. Full screen where the browser allows it. Print button: [data-print]. */
(function () {
  'use strict';
  var state = null;

  function slides(root) { return Array.prototype.slice.call(root.querySelectorAll('.brief-slide')); }

  // The slide style of a chart: every text 24 px, the chart filling what the slide's
  // heading and caption leave of the screen. The print style is the figure's own; it is
  // put back when the show ends.
  var SLIDE_FONT = 24;

  function slideLayout(layout, height) {
    var copy = JSON.parse(JSON.stringify(layout));
    copy.font = Object.assign({}, copy.font, { size: SLIDE_FONT });
    copy.height = height;
    copy.margin = Object.assign({}, copy.margin, { t: 80 });
    if (copy.legend) { copy.legend.font = Object.assign({}, copy.legend.font, { size: SLIDE_FONT }); }
    Object.keys(copy).forEach(function (key) {
      if (/^[xy]axis\d*$/.test(key)) {
        copy[key].tickfont = Object.assign({}, copy[key].tickfont, { size: SLIDE_FONT });
        if (copy[key].title && typeof copy[key].title === 'object') {
          copy[key].title.font = Object.assign({}, copy[key].title.font, { size: SLIDE_FONT });
        }
        if (copy[key].dtick === 2) { copy[key].dtick = 1; }
        // Room at the corner where the first year and the lowest value meet.
        copy[key].ticklabelstandoff = key.charAt(0) === 'x' ? 16 : 12;
      }
    });
    (copy.annotations || []).forEach(function (note) {
      note.font = Object.assign({}, note.font, { size: SLIDE_FONT });
    });
    return copy;
  }

  function chartHeight(graph) {
    var slide = graph.closest('.brief-slide');
    var used = 0;
    slide.querySelectorAll('.brief__heading, .brief__slide-source, .brief__caption').forEach(
      function (node) { used += node.getBoundingClientRect().height; }
    );
    return Math.max(320, Math.round(window.innerHeight - used - 160));
  }

  function restyle(root, presenting) {
    if (!window.Plotly) { return; }
    root.querySelectorAll('.brief-slide .js-plotly-plot').forEach(function (graph) {
      if (!graph.layout) { return; }
      var current = graph.closest('.brief-slide').classList.contains('is-current');
      if (presenting && current) {
        if (!graph.leadPrintLayout) {
          graph.leadPrintLayout = JSON.parse(JSON.stringify(graph.layout));
          graph.leadPrintText = graph.data.map(function (trace) {
            return trace.textfont && trace.textfont.size ? trace.textfont.size : null;
          });
        }
        window.Plotly.react(graph, graph.data, slideLayout(graph.leadPrintLayout, chartHeight(graph)));
        window.Plotly.restyle(graph, { 'textfont.size': SLIDE_FONT });  // numbers on bars
      } else if (graph.leadPrintLayout) {
        window.Plotly.react(graph, graph.data, graph.leadPrintLayout);
        window.Plotly.restyle(graph, { 'textfont.size': graph.leadPrintText });
        delete graph.leadPrintLayout;
        delete graph.leadPrintText;
      }
    });
  }

  function resizeCharts(root) {
    if (!window.Plotly) { return; }
    restyle(root, Boolean(state));
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
