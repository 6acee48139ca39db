/* Chart card "Download, link, embed or cite" panel (dashboard/components/share.py).
 *
 * Images: the chart on screen is redrawn off-screen by Plotly.toImage at a preset size with
 * the card's title and subtitle above it and the source, period, refresh time, privacy note
 * and the view's address under it, so a downloaded image always carries its provenance.
 * PNGs are drawn at the panel's data-scale (2x, for print); SVG at 1x.
 * Copy buttons copy the text of the field they name.
 * Event delegation: panels are re-rendered by callbacks, so nothing is bound to them.
 */
(function () {
  'use strict';

  function escapeText(text) {
    return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }

  function presetSize(panel, preset) {
    var entries = (panel.getAttribute('data-presets') || '').split(';');
    for (var i = 0; i < entries.length; i += 1) {
      var parts = entries[i].split(':');
      if (parts[0] === preset) {
        var size = parts[1].split('x');
        return [parseInt(size[0], 10), parseInt(size[1], 10)];
      }
    }
    return [960, 600];
  }

  // Long lines are wrapped to the image width (about 6.2 px per 11 px character, or the
  // given width per character); a word longer than a line (a URL) is broken after a '/',
  // '?' or '&' where it can be, else where it must.
  function splitLong(word, limit) {
    var pieces = [];
    while (word.length > limit) {
      var cut = Math.max(word.lastIndexOf('/', limit), word.lastIndexOf('?', limit),
        word.lastIndexOf('&', limit));
      cut = cut > limit / 2 ? cut + 1 : limit;
      pieces.push(word.slice(0, cut));
      word = word.slice(cut);
    }
    pieces.push(word);
    return pieces;
  }

  function wrapLines(lines, width, charWidth) {
    var limit = Math.max(40, Math.floor((width - 100) / (charWidth || 6.2)));
    var wrapped = [];
    lines.forEach(function (line) {
      var current = '';
      var words = [];
      line.split(' ').forEach(function (word) { words = words.concat(splitLong(word, limit)); });
      words.forEach(function (word) {
        if (current && (current + ' ' + word).length > limit) {
          wrapped.push(current);
          current = word;
        } else {
          current = current ? current + ' ' + word : word;
        }
      });
      wrapped.push(current);
    });
    return wrapped;
  }

  function exportLayout(graph, title, subtitle, footerLines, width, height) {
    var layout = JSON.parse(JSON.stringify(graph.layout || {}));
    footerLines = wrapLines(footerLines, width);
    var lineHeight = 15;
    var oldMargin = layout.margin || {};
    var oldBottom = typeof oldMargin.b === 'number' ? oldMargin.b : 80;
    var footerHeight = footerLines.length * lineHeight + 16;
    layout.width = width;
    layout.height = height;
    layout.autosize = false;
    var subtitleLines = wrapLines([subtitle], width, 7.4);  // 13 px text
    var extraTop = (subtitleLines.length - 1) * 17;
    layout.margin = Object.assign({}, oldMargin, {
      t: 116 + extraTop,
      b: oldBottom + footerHeight,
      l: typeof oldMargin.l === 'number' ? oldMargin.l : 70,
      r: typeof oldMargin.r === 'number' ? oldMargin.r : 30,
    });
    layout.title = {
      text: '<b>' + escapeText(title) + '</b>',
      x: 0, xref: 'container', xanchor: 'left',
      y: 1, yref: 'container', yanchor: 'top',
      pad: { t: 16, l: 14 },
      font: { size: 19 },
    };
    var annotations = (layout.annotations || []).slice();
    annotations.push({
      text: subtitleLines.map(escapeText).join('<br>'),
      xref: 'paper', x: 0, xanchor: 'left', xshift: -layout.margin.l + 14,
      yref: 'paper', y: 1, yanchor: 'bottom', yshift: layout.margin.t - 72 - extraTop,
      showarrow: false, align: 'left',
      font: { size: 13, color: '#333333' },
    });
    annotations.push({
      text: footerLines.map(escapeText).join('<br>'),
      xref: 'paper', x: 0, xanchor: 'left',
      yref: 'paper', y: 0, yanchor: 'top', yshift: -oldBottom,
      showarrow: false, align: 'left',
      font: { size: 11, color: '#333333' },
    });
    layout.annotations = annotations;
    return layout;
  }

  function setStatus(panel, text) {
    var status = panel.querySelector('.share-panel__status');
    if (status) { status.textContent = text; }
  }

  function exportImage(button) {
    var panel = button.closest('.share-panel__content');
    var card = document.getElementById(button.getAttribute('data-card'));
    var graph = card && card.querySelector('.js-plotly-plot');
    if (!panel || !graph || !window.Plotly) {
      if (panel) { setStatus(panel, 'The chart is not drawn yet; try again in a moment.'); }
      return;
    }
    var format = button.getAttribute('data-export');
    var preset = button.getAttribute('data-preset');
    var size = presetSize(panel, preset);
    var scale = format === 'png' ? parseFloat(panel.getAttribute('data-scale') || '2') : 1;
    var subtitleNode = card.querySelector('.chart-card__subtitle');
    var footerLines = (panel.getAttribute('data-footer') || '').split('\n');
    var title = panel.getAttribute('data-title') || '';
    var layout = exportLayout(
      graph, title, subtitleNode ? subtitleNode.textContent : '', footerLines, size[0], size[1]
    );
    var figure = { data: graph.data, layout: layout };
    setStatus(panel, 'Drawing the image…');
    window.Plotly.toImage(figure, {
      format: format, width: size[0], height: size[1], scale: scale,
    }).then(function (url) {
      window.leadLastExport = {
        format: format, preset: preset, width: size[0], height: size[1], scale: scale,
        title: layout.title.text, subtitle: subtitleNode ? subtitleNode.textContent : '',
        footer: footerLines,
        // As drawn: wrapped to the image's width (no line runs off its right edge).
        footer_lines: wrapLines(footerLines, size[0]),
        footer_limit: Math.max(40, Math.floor((size[0] - 100) / 6.2)),
        subtitle_lines: wrapLines([subtitleNode ? subtitleNode.textContent : ''], size[0], 7.4),
      };
      var link = document.createElement('a');
      link.href = url;
      link.download = 'belltown-lead_' + button.getAttribute('data-card') + '_' + preset +
        '.' + format;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setStatus(panel, 'Image downloaded (' + format.toUpperCase() + ', ' + preset + ').');
    }).catch(function () {
      setStatus(panel, 'The image could not be drawn. The data downloads still work.');
    });
  }

  function copyField(button) {
    var field = document.getElementById(button.getAttribute('data-copy'));
    var panel = button.closest('.share-panel__content');
    if (!field) { return; }
    var done = function () { if (panel) { setStatus(panel, 'Copied to the clipboard.'); } };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        field.select();
        if (panel) { setStatus(panel, 'Selected: press Ctrl+C (or Cmd+C) to copy.'); }
      });
    } else {
      field.select();
      var copied = false;
      try { copied = document.execCommand('copy'); } catch (error) { copied = false; }
      if (copied) { done(); } else if (panel) {
        setStatus(panel, 'Selected: press Ctrl+C (or Cmd+C) to copy.');
      }
    }
  }

  // A permalink ends in #<card>: the page is drawn after load, so scroll once it exists.
  function scrollToCard() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id || !/^[a-z]+-[a-z-]+$/.test(id)) { return; }
    var started = Date.now();
    var timer = window.setInterval(function () {
      var card = document.getElementById(id);
      var drawn = card && card.querySelector('.js-plotly-plot');
      if (drawn || Date.now() - started > 15000) {
        window.clearInterval(timer);
        if (card) { card.scrollIntoView(); }
      }
    }, 250);
  }
  scrollToCard();

  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    var exportButton = target.closest('[data-export]');
    if (exportButton) { exportImage(exportButton); return; }
    var copyButton = target.closest('[data-copy]');
    if (copyButton) { copyField(copyButton); }
  });
}());
