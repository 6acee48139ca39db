(root) => {
  const scope = root ? document.querySelector(root) : document;
  const out = [];
  scope.querySelectorAll('.js-plotly-plot').forEach((plot) => {
    if (!plot.getBoundingClientRect().width) { return; }
    const boxes = [];
    const sel = 'g.xtick text, g.ytick text, .legendtext, .annotation-text, .g-xtitle text, .g-ytitle text, .gtitle, text.textpoint, .textpoint text';
    plot.querySelectorAll(sel).forEach((node) => {
      const text = node.textContent.trim();
      if (!text) { return; }
      const r = node.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) { return; }
      boxes.push({ text, r, kind: node.closest('.annotation') ? 'annotation' : node.closest('.legend') ? 'legend' : node.closest('.xtick') ? 'xtick' : node.closest('.ytick') ? 'ytick' : 'other' });
    });
    const plotRect = plot.getBoundingClientRect();
    for (let i = 0; i < boxes.length; i++) {
      const a = boxes[i].r;
      if (a.left < plotRect.left - 1 || a.right > plotRect.right + 1) { out.push({ id: (plot.closest('[id]') || plot).id, cut: boxes[i].text }); }
      for (let j = i + 1; j < boxes.length; j++) {
        const b = boxes[j].r;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) { out.push({ id: (plot.closest('[id]') || plot).id, a: boxes[i].text, b: boxes[j].text, ka: boxes[i].kind, kb: boxes[j].kind }); }
      }
    }
  });
  return out;
}
