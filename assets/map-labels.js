/* Grid maps (dashboard/figures.py grid_map_figure) print each cell's count inside it only
 * where the label fits: on a phone the cells are small, and overlapping numbers are worse
 * than none (the counts stay in the hover text and the data table). */
(function () {
  'use strict';
  var MIN_CELL_PX = 28;  // a three-digit count at 12 px

  function fit(graph) {
    var layout = graph._fullLayout;
    if (!layout || !layout.xaxis || !graph.data) { return; }
    graph.data.forEach(function (trace, index) {
      if (!trace.meta || !trace.meta.grid_cells) { return; }
      var range = layout.xaxis.range;
      var span = Math.abs(range[1] - range[0]);
      if (!span) { return; }
      var cellPx = trace.meta.cell_longitude_step * layout.xaxis._length / span;
      var mode = cellPx >= MIN_CELL_PX ? 'markers+text' : 'markers';
      if (trace.mode !== mode) { window.Plotly.restyle(graph, { mode: mode }, [index]); }
    });
  }

  function watch(graph) {
    if (graph.leadMapWatched || typeof graph.on !== 'function') { return; }
    graph.leadMapWatched = true;
    graph.on('plotly_afterplot', function () { fit(graph); });
    fit(graph);
  }

  new MutationObserver(function () {
    document.querySelectorAll('.js-plotly-plot').forEach(watch);
  }).observe(document.documentElement, { childList: true, subtree: true });
}());
