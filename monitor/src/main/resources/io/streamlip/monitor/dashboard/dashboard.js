// streamlip monitor dashboard: polls the monitor's JSON endpoints and draws SVG charts.
// No library and nothing from the network beyond this server.
'use strict';
(function () {
  const SVG = 'http://www.w3.org/2000/svg';
  const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
  const W = 420, H = 200, PAD = { l: 52, r: 10, t: 10, b: 24 };

  function el(name, attrs, text) {
    const e = document.createElementNS(SVG, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fmt(v) {
    if (v === null || v === undefined || Number.isNaN(v)) return '–';
    const a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toFixed(2) + 'G';
    if (a >= 1e6) return (v / 1e6).toFixed(2) + 'M';
    if (a >= 1e4) return (v / 1e3).toFixed(1) + 'k';
    if (Number.isInteger(v)) return String(v);
    return v.toFixed(a < 1 ? 3 : 1);
  }
  function text(id, value) { document.getElementById(id).textContent = value; }

  // Line chart: xs shared, series {name: [y or null]}; lines break at nulls.
  function lineChart(id, xs, series, xLabel) {
    const svg = document.getElementById(id);
    const legend = document.getElementById(id.replace('chart', 'legend'));
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    svg.replaceChildren();
    legend.replaceChildren();
    const names = Object.keys(series);
    let ys = [];
    names.forEach(n => series[n].forEach(v => { if (v !== null) ys.push(v); }));
    svg.setAttribute('data-series', names.length);
    if (xs.length === 0 || ys.length === 0) {
      svg.appendChild(el('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', fill: '#999' }, 'no data yet'));
      return;
    }
    const x0 = Math.min(...xs), x1 = Math.max(...xs);
    const y1 = Math.max(1e-9, ...ys), y0 = Math.min(0, ...ys);
    const sx = x => PAD.l + (x1 === x0 ? (W - PAD.l - PAD.r) / 2 : (x - x0) / (x1 - x0) * (W - PAD.l - PAD.r));
    const sy = y => H - PAD.b - (y - y0) / (y1 - y0) * (H - PAD.t - PAD.b);
    svg.appendChild(el('line', { x1: PAD.l, y1: H - PAD.b, x2: W - PAD.r, y2: H - PAD.b, stroke: '#999' }));
    svg.appendChild(el('line', { x1: PAD.l, y1: PAD.t, x2: PAD.l, y2: H - PAD.b, stroke: '#999' }));
    svg.appendChild(el('text', { x: PAD.l - 4, y: PAD.t + 8, 'text-anchor': 'end', 'font-size': 10 }, fmt(y1)));
    svg.appendChild(el('text', { x: PAD.l - 4, y: H - PAD.b, 'text-anchor': 'end', 'font-size': 10 }, fmt(y0)));
    svg.appendChild(el('text', { x: W - PAD.r, y: H - 6, 'text-anchor': 'end', 'font-size': 10 }, xLabel(x1)));
    svg.appendChild(el('text', { x: PAD.l, y: H - 6, 'font-size': 10 }, xLabel(x0)));
    names.forEach((name, i) => {
      const color = COLORS[i % COLORS.length];
      let d = '', pen = false, last = null, points = 0;
      series[name].forEach((v, j) => {
        if (v === null) { pen = false; return; }
        d += (pen ? 'L' : 'M') + sx(xs[j]).toFixed(1) + ',' + sy(v).toFixed(1);
        pen = true; last = v; points++;
        if (series[name].length === 1 || points === 1) {
          svg.appendChild(el('circle', { cx: sx(xs[j]), cy: sy(v), r: 2, fill: color }));
        }
      });
      svg.appendChild(el('path', { d: d, fill: 'none', stroke: color, 'stroke-width': 1.5,
        'data-name': name, 'data-last': last === null ? '' : last, 'data-points': points }));
      const item = document.createElement('span');
      item.style.color = color;
      item.setAttribute('data-name', name);
      item.textContent = name + ': ' + fmt(last);
      legend.appendChild(item);
    });
  }

  function barChart(id, bars) {
    const svg = document.getElementById(id);
    const legend = document.getElementById(id.replace('chart', 'legend'));
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    svg.replaceChildren();
    legend.replaceChildren();
    svg.setAttribute('data-series', bars.length);
    if (bars.length === 0) {
      svg.appendChild(el('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', fill: '#999' }, 'no rejects'));
      return;
    }
    const max = Math.max(...bars.map(b => b.value));
    const h = Math.min(22, (H - 10) / bars.length);
    bars.forEach((b, i) => {
      const y = 5 + i * h, w = b.value / max * (W - 265);
      svg.appendChild(el('text', { x: 215, y: y + h * 0.7, 'text-anchor': 'end', 'font-size': 10 }, b.label));
      svg.appendChild(el('rect', { x: 220, y: y + 2, width: Math.max(1, w), height: h - 4,
        fill: COLORS[i % COLORS.length], 'data-name': b.label, 'data-value': b.value }));
      svg.appendChild(el('text', { x: 224 + w, y: y + h * 0.7, 'font-size': 10 }, fmt(b.value)));
    });
  }

  const time = t => new Date(t).toLocaleTimeString();

  function renderSnapshot(s) {
    const kafka = document.getElementById('kafka');
    kafka.className = 'pill ' + (s.reachable ? 'up' : 'down');
    kafka.textContent = s.reachable ? 'Kafka ' + s.bootstrap : 'Kafka at ' + s.bootstrap + ' unreachable: ' + s.error + ' (retrying)';
    text('updated', 'updated ' + time(s.time));
    const topics = document.querySelector('#topics tbody');
    topics.replaceChildren();
    s.topics.forEach(t => {
      const tr = document.createElement('tr');
      tr.setAttribute('data-topic', t.name);
      const end = t.endOffsets.reduce((a, b) => a + b, 0);
      [['name', t.name], ['partitions', t.partitions], ['end', end], ['records', t.records],
        ['size', fmt(t.sizeBytes) + 'B'], ['mps', fmt(t.messagesPerSecond)], ['bps', fmt(t.bytesPerSecond)]]
        .forEach(([cls, v]) => { const td = document.createElement('td'); td.className = cls; td.textContent = v; tr.appendChild(td); });
      tr.children[2].title = 'per partition: ' + t.endOffsets.join(', ');
      topics.appendChild(tr);
    });
    const groups = document.querySelector('#groups tbody');
    groups.replaceChildren();
    s.groups.forEach(g => {
      const tr = document.createElement('tr');
      tr.setAttribute('data-group', g.group);
      const parts = g.partitions.map(p => p.topic + '/' + p.partition + ': ' + p.committed + ' → ' + p.end + ', lag ' + p.lag + ', ' + p.status).join('; ');
      [['name', g.group], ['status status-' + g.status, g.status], ['worst status-' + g.worstPartition, g.worstPartition],
        ['state', g.state], ['members', g.members], ['lag', g.totalLag], ['parts text', parts]]
        .forEach(([cls, v]) => { const td = document.createElement('td'); td.className = cls; td.textContent = v; tr.appendChild(td); });
      groups.appendChild(tr);
    });
    const bars = [];
    Object.keys(s.rejects.byStage).sort().forEach(stage =>
      Object.keys(s.rejects.byStage[stage]).sort().forEach(reason =>
        bars.push({ label: stage + ' ' + reason, value: s.rejects.byStage[stage][reason] })));
    barChart('chart-rejects', bars);
    const dl = document.getElementById('trainer');
    dl.replaceChildren();
    const t = s.trainer;
    const rows = t === null ? [['model', 'none published yet']] : [
      ['model', t.modelVersion], ['step', t.step], ['examples seen', t.examplesSeen], ['loss', fmt(t.loss)],
      ['examples/s', fmt(t.examplesPerSecond)], ['freshness', t.freshnessSeconds === null ? '–' : fmt(t.freshnessSeconds) + ' s since the newest model'],
      ['latest eval', Object.keys(t.eval).map(k => k + ' ' + fmt(t.eval[k])).join(', ') || 'none'], ['source', t.source]];
    rows.forEach(([k, v]) => {
      const dt = document.createElement('dt'); dt.textContent = k;
      const dd = document.createElement('dd'); dd.textContent = v; dd.setAttribute('data-field', k);
      dl.appendChild(dt); dl.appendChild(dd);
    });
  }

  function renderHistory(h) {
    lineChart('chart-lag', h.times, h.lag, time);
    lineChart('chart-throughput', h.times, h.messagesPerSecond, time);
  }

  function renderCurves(points) {
    const steps = points.map(p => p.step);
    lineChart('chart-loss', steps, { loss: points.map(p => p.loss) }, s => 'step ' + s);
    const keys = new Set();
    points.forEach(p => Object.keys(p.eval).forEach(k => { if (/r1$/.test(k)) keys.add(k); }));
    const recall = {};
    [...keys].sort().forEach(k => { recall[k] = points.map(p => (k in p.eval ? p.eval[k] : null)); });
    lineChart('chart-recall', steps, recall, s => 'step ' + s);
  }

  async function getJson(path) {
    const r = await fetch(path, { cache: 'no-store' });
    if (!r.ok) throw new Error(path + ': ' + r.status);
    return r.json();
  }

  async function poll() {
    try { renderSnapshot(await getJson('/api/snapshot')); } catch (e) { text('updated', String(e)); }
    try { renderHistory(await getJson('/api/history?seconds=1800')); } catch (e) { /* next poll */ }
    try { renderCurves(await getJson('/api/curves')); } catch (e) { /* next poll */ }
    document.body.setAttribute('data-polls', String(Number(document.body.getAttribute('data-polls') || 0) + 1));
  }

  async function start() {
    let every = 5000;
    try { every = (await getJson('/api/config')).refreshMillis; } catch (e) { /* default */ }
    await poll();
    setInterval(poll, every);
  }
  start();
})();
