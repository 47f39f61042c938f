/* The dashboard page: a list of runs and benchmarks, and the selected one's charts, both polled. */
/* global flopwiseRender, window, document, location */
(function () {
  'use strict';
  const cfg = window.FLOPWISE_DASHBOARD;
  const app = document.getElementById('app');
  const list = document.createElement('div');
  list.id = 'runs';
  const view = document.createElement('div');
  view.id = 'view';
  app.append(list, view);

  let lastList = '';
  let lastView = '';
  let selected = decodeURIComponent(location.hash.slice(1));

  function pct(x) {
    return x === null || x === undefined ? '–' : (100 * x).toFixed(1) + '%';
  }
  function cell(text) {
    const td = document.createElement('td');
    td.textContent = text;
    return td;
  }

  function renderList(entries) {
    list.textContent = '';
    const h = document.createElement('h1');
    h.textContent = 'flopwise dashboard: ' + cfg.root;
    list.appendChild(h);
    if (!entries.length) {
      const p = document.createElement('p');
      p.textContent =
        'No runs yet under this directory (a run appears once it writes config.json or metrics.jsonl).';
      list.appendChild(p);
      return;
    }
    const table = document.createElement('table');
    table.className = 'runs';
    const head = document.createElement('tr');
    for (const t of ['run', 'kind', 'status', 'step', 'last accuracy', 'updated']) {
      const th = document.createElement('th');
      th.textContent = t;
      head.appendChild(th);
    }
    table.appendChild(head);
    for (const e of entries) {
      const tr = document.createElement('tr');
      const a = document.createElement('a');
      a.href = '#' + encodeURIComponent(e.id);
      a.textContent = e.id;
      const name = document.createElement('td');
      name.appendChild(a);
      // A benchmark's runs, each viewable on its own.
      for (const child of e.children || []) {
        const c = document.createElement('a');
        c.href = '#' + encodeURIComponent(child);
        c.textContent = child.split('/').pop();
        c.className = 'child';
        name.append(document.createElement('br'), c);
      }
      tr.append(
        name,
        cell(e.kind + (e.runs !== undefined ? ` (${e.runs} runs)` : '')),
        cell(e.status),
        cell(e.steps === null ? '–' : String(e.steps)),
        cell(pct(e.lastAccuracy)),
        cell(e.updatedAt ? new Date(e.updatedAt).toLocaleTimeString() : '–'),
      );
      if (e.id === selected) tr.style.fontWeight = 'bold';
      table.appendChild(tr);
    }
    list.appendChild(table);
  }

  async function poll() {
    try {
      const text = await (await fetch('/api/runs')).text();
      if (text !== lastList) {
        lastList = text;
        const entries = JSON.parse(text);
        if (!selected && entries.length) selected = entries[0].id;
        renderList(entries);
      }
      if (selected) {
        const v = await (await fetch('/api/view?dir=' + encodeURIComponent(selected))).text();
        if (v !== lastView) {
          lastView = v;
          flopwiseRender(JSON.parse(v), view);
          document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
        }
      }
    } catch (err) {
      // The server is restarting or the run directory is mid-write: try again on the next tick.
      document.body.dataset.pollError = String(err);
    }
    setTimeout(poll, cfg.pollMs);
  }

  window.addEventListener('hashchange', () => {
    selected = decodeURIComponent(location.hash.slice(1));
    lastList = '';
    lastView = '';
  });
  poll();
})();
