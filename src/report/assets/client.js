/* The page script for reports and the dashboard: turns the view model (see src/report/types.ts) into
 * uPlot charts, stacked bars and tables. A report embeds one view; the dashboard polls for fresh ones. */
/* global uPlot, window, document, devicePixelRatio */
(function () {
  'use strict';
  const plots = [];

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') node.textContent = v;
      else if (k === 'style') node.style.cssText = v;
      else node.setAttribute(k, v);
    }
    for (const c of children || []) if (c) node.appendChild(c);
    return node;
  }

  function withAlpha(hex, alpha) {
    const a = Math.round(alpha * 255)
      .toString(16)
      .padStart(2, '0');
    return hex.length === 7 ? hex + a : hex;
  }

  // 1.2e11 → "120G": FLOP axes span many orders of magnitude.
  function si(v) {
    const a = Math.abs(v);
    const units = [
      [1e15, 'P'],
      [1e12, 'T'],
      [1e9, 'G'],
      [1e6, 'M'],
      [1e3, 'k'],
    ];
    for (const [s, u] of units) if (a >= s) return +(v / s).toPrecision(3) + u;
    return +v.toPrecision(3) + '';
  }

  /** uPlot wants one shared x array: the union of every series' x, with nulls where a series has no point. */
  function aligned(chart) {
    const xs = new Set();
    for (const s of chart.series) for (const p of s.points) xs.add(p[0]);
    for (const b of chart.bands || []) for (const x of b.x) xs.add(x);
    const x = Array.from(xs).sort((a, b) => a - b);
    const index = new Map(x.map((v, i) => [v, i]));
    const column = (pairs) => {
      const y = new Array(x.length).fill(null);
      for (const [px, py] of pairs) y[index.get(px)] = py;
      return y;
    };
    return { x, column };
  }

  function seriesOptions(s) {
    const base = {
      label: s.label,
      stroke: s.faint ? withAlpha(s.color, 0.3) : s.color,
      width: s.faint ? 1 : 2,
      spanGaps: true,
    };
    if (s.dash) base.dash = [6, 4];
    if (s.kind === 'points') {
      return { ...base, paths: () => null, points: { show: true, size: 7, fill: s.color, stroke: s.color } };
    }
    if (s.kind === 'bars') {
      return {
        ...base,
        fill: withAlpha(s.color, 0.7),
        paths: uPlot.paths.bars({ size: [0.8, 60] }),
        points: { show: false },
      };
    }
    return { ...base, points: { show: s.points.length < 3, size: 5 } };
  }

  /** Reference lines (target, phase boundaries) and crossing markers, drawn over the series. */
  function overlay(chart) {
    return (u) => {
      const ctx = u.ctx;
      const { left, top, width, height } = u.bbox;
      ctx.save();
      ctx.font = `${11 * devicePixelRatio}px sans-serif`;
      ctx.lineWidth = devicePixelRatio;
      ctx.setLineDash([5 * devicePixelRatio, 4 * devicePixelRatio]);
      ctx.strokeStyle = '#555';
      ctx.fillStyle = '#555';
      for (const h of chart.hlines || []) {
        const y = u.valToPos(h.y, 'y', true);
        ctx.beginPath();
        ctx.moveTo(left, y);
        ctx.lineTo(left + width, y);
        ctx.stroke();
        ctx.textAlign = 'right';
        ctx.fillText(h.label, left + width - 4, y - 4);
        ctx.textAlign = 'left';
      }
      ctx.strokeStyle = '#999';
      for (const v of chart.vlines || []) {
        const x = u.valToPos(v.x, 'x', true);
        if (x < left || x > left + width) continue;
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
      }
      ctx.setLineDash([]);
      for (const m of chart.markers || []) {
        const x = u.valToPos(m.x, 'x', true);
        const y = u.valToPos(m.y, 'y', true);
        ctx.strokeStyle = m.color;
        ctx.lineWidth = 2.5 * devicePixelRatio;
        ctx.beginPath();
        ctx.arc(x, y, 6 * devicePixelRatio, 0, 2 * Math.PI);
        ctx.stroke();
      }
      ctx.restore();
    };
  }

  function xRange(chart) {
    const bars = chart.series.some((s) => s.kind === 'bars');
    return (u, min, max) => {
      if (bars) {
        const pad = (max - min) / Math.max(1, u.data[0].length - 1) / 2 || 0.5;
        return [min - pad, max + pad];
      }
      return min === max ? [min - 1, max + 1] : [min, max];
    };
  }

  function drawChart(chart, target) {
    const { x, column } = aligned(chart);
    const data = [x];
    const series = [{ label: chart.xLabel }];
    const bands = [];
    for (const b of chart.bands || []) {
      const hi = data.length;
      data.push(column(b.x.map((v, i) => [v, b.hi[i]])), column(b.x.map((v, i) => [v, b.lo[i]])));
      series.push({ label: 'hi', stroke: 'transparent', width: 0, spanGaps: true, points: { show: false } });
      series.push({ label: 'lo', stroke: 'transparent', width: 0, spanGaps: true, points: { show: false } });
      bands.push({ series: [hi, hi + 1], fill: withAlpha(b.color, 0.15) });
    }
    for (const s of chart.series) {
      data.push(column(s.points));
      series.push(seriesOptions(s));
    }
    const yValues = chart.series
      .flatMap((s) => s.points.map((p) => p[1]))
      .concat((chart.hlines || []).map((h) => h.y));
    const width = Math.max(320, Math.min(620, target.clientWidth || 620));
    const opts = {
      width,
      height: 300,
      legend: { show: false },
      cursor: { drag: { x: true, y: false } },
      scales: {
        x: { time: false, range: xRange(chart) },
        y: { range: (u, min, max) => yRange(yValues, min, max) },
      },
      axes: [
        { label: chart.xLabel, values: (u, vals) => vals.map(si), size: 40 },
        { label: chart.yLabel, values: (u, vals) => vals.map(si), size: 50 },
      ],
      series,
      bands,
      hooks: { draw: [overlay(chart)] },
    };
    plots.push(new uPlot(opts, data, target));
  }

  function yRange(values, min, max) {
    const lo = Math.min(min, ...values);
    const hi = Math.max(max, ...values);
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
    const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.1 || 1;
    return [lo >= 0 && lo - pad < 0 ? 0 : lo - pad, hi + pad];
  }

  function legend(chart) {
    const items = chart.series.filter((s) => s.legend);
    return el(
      'div',
      { class: 'legend' },
      items.map((s) =>
        el('span', { class: 'key' }, [
          el('i', { style: `background:${s.color}` }),
          document.createTextNode(s.label),
        ]),
      ),
    );
  }

  function chartBlock(chart) {
    const plot = el('div', { class: 'plot', 'data-chart': chart.id });
    const block = el('figure', { class: 'chart', id: 'chart-' + chart.id }, [
      el('figcaption', { text: chart.title }),
      chart.note ? el('p', { class: 'note', text: chart.note }) : null,
      legend(chart),
      plot,
    ]);
    return { block, plot };
  }

  function table(t) {
    const head = el(
      'tr',
      {},
      t.head.map((h) => el('th', { text: h })),
    );
    const rows = t.rows.map((r) =>
      el(
        'tr',
        {},
        r.map((c) => el('td', { text: c })),
      ),
    );
    return el('div', { class: 'table' }, [
      el('h3', { text: t.title }),
      t.note ? el('p', { class: 'note', text: t.note }) : null,
      el('table', {}, [el('thead', {}, [head]), el('tbody', {}, rows)]),
    ]);
  }

  function stacks(st) {
    const max = Math.max(1, ...st.rows.map((r) => r.values.reduce((a, b) => a + b, 0)));
    const key = el(
      'div',
      { class: 'legend' },
      st.parts.map((p) =>
        el('span', { class: 'key' }, [
          el('i', { style: `background:${p.color}` }),
          document.createTextNode(p.name),
        ]),
      ),
    );
    const rows = st.rows.map((r) =>
      el('div', { class: 'stack-row' }, [
        el('span', { class: 'stack-label', text: r.label }),
        el(
          'span',
          { class: 'stack-bar' },
          r.values.map((v, i) =>
            el('i', {
              style: `width:${(100 * v) / max}%;background:${st.parts[i].color}`,
              title: `${st.parts[i].name}: ${si(v)}FLOP`,
            }),
          ),
        ),
        el('span', { class: 'stack-text', text: r.text }),
      ]),
    );
    return el('div', { class: 'stacks' }, [
      el('h3', { text: st.title }),
      st.note ? el('p', { class: 'note', text: st.note }) : null,
      key,
      ...rows,
    ]);
  }

  function section(s, pending) {
    const charts = el('div', { class: 'charts' });
    for (const c of s.charts) {
      const { block, plot } = chartBlock(c);
      charts.appendChild(block);
      pending.push([c, plot]);
    }
    const missing = s.missing.length
      ? el(
          'ul',
          { class: 'missing' },
          s.missing.map((m) => el('li', { text: 'not recorded: ' + m })),
        )
      : null;
    const blocks = (s.blocks || []).map((b) =>
      el('details', {}, [el('summary', { text: b.title }), el('pre', { text: b.text })]),
    );
    return el('section', { id: s.id }, [
      el('h2', { text: s.title }),
      charts,
      ...(s.stacks || []).map(stacks),
      ...s.tables.map(table),
      ...blocks,
      missing,
    ]);
  }

  function render(view, root) {
    const scroll = window.scrollY;
    while (plots.length) plots.pop().destroy();
    root.textContent = '';
    const pending = [];
    root.appendChild(
      el('header', {}, [
        el('h1', { text: view.title }),
        el('p', {}, [
          el('span', { class: 'status status-' + view.status.split(' ')[0], text: view.status }),
          document.createTextNode(' · ' + view.subtitle),
        ]),
        el(
          'nav',
          {},
          view.sections.map((s) => el('a', { href: '#' + s.id, text: s.title })),
        ),
      ]),
    );
    for (const s of view.sections) root.appendChild(section(s, pending));
    for (const [c, plot] of pending) drawChart(c, plot);
    document.body.dataset.charts = String(pending.length);
    window.scrollTo(0, scroll);
  }

  window.flopwiseRender = render;
  const embedded = document.getElementById('flopwise-view');
  if (embedded) render(JSON.parse(embedded.textContent), document.getElementById('app'));
})();
