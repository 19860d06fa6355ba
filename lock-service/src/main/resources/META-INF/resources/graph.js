// The wait-for graph as a hand-drawn SVG: a layered layout is enough for the handful of
// transactions that wait at any moment, and keeps the page free of libraries.
//
// Columns from left to right: transactions that wait for nobody (the holders), then those
// waiting for them, then those waiting for those... Arrows go from waiter to blocker.

import { formatAge, shortId } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';
const NODE_W = 190, NODE_H = 50, COL_GAP = 130, ROW_GAP = 24, PAD = 16, LANE = 18;
const MAX_NODES = 80;

function el(name, attrs = {}, ...children) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function clip(text, max) {
  const s = String(text ?? '');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Longest path to a transaction that waits for nobody; back edges (cycles) are ignored. */
function levels(nodes, edges) {
  const out = new Map([...nodes.keys()].map(id => [id, []]));
  for (const e of edges) out.get(e.from)?.push(e.to);
  const level = new Map();
  const onPath = new Set();
  const visit = id => {
    if (level.has(id)) return level.get(id);
    onPath.add(id);
    let l = 0;
    for (const t of out.get(id) ?? []) if (!onPath.has(t)) l = Math.max(l, visit(t) + 1);
    onPath.delete(id);
    level.set(id, l);
    return l;
  };
  for (const id of nodes.keys()) visit(id);
  return level;
}

function layout(nodes, edges) {
  const level = levels(nodes, edges);
  const columns = [];
  for (const [id, l] of level) (columns[l] ??= []).push(id);
  const pos = new Map();
  const targets = id => edges.filter(e => e.from === id && pos.has(e.to)).map(e => pos.get(e.to).row);
  columns.forEach((ids, col) => {
    // Order each column by where its blockers sit, so arrows cross as little as they can.
    const key = id => { const t = targets(id); return t.length ? t.reduce((a, b) => a + b, 0) / t.length : Infinity; };
    ids.sort((a, b) => key(a) - key(b) || String(nodes.get(a).owner).localeCompare(String(nodes.get(b).owner)));
    ids.forEach((id, row) => pos.set(id, { col, row }));
  });
  // an arrow that skips a column would cross the nodes in it: such arrows run in lanes above all nodes
  const skips = edges.filter(e => pos.has(e.from) && pos.has(e.to) && pos.get(e.from).col - pos.get(e.to).col > 1);
  const top = PAD + (skips.length ? LANE * skips.length + 6 : 0);
  const rows = Math.max(1, ...columns.map(c => c.length));
  const height = top + PAD + rows * NODE_H + (rows - 1) * ROW_GAP;
  const width = PAD * 2 + columns.length * NODE_W + (columns.length - 1) * COL_GAP;
  const bodyHeight = height - top - PAD;
  for (const [, p] of pos) {
    const colHeight = columns[p.col].length * (NODE_H + ROW_GAP) - ROW_GAP;
    p.x = PAD + p.col * (NODE_W + COL_GAP);
    p.y = top + (bodyHeight - colHeight) / 2 + p.row * (NODE_H + ROW_GAP);
  }
  const lanes = new Map(skips.map((e, i) => [e, PAD + LANE * i + LANE / 2]));
  return { pos, width, height, lanes };
}

function edgePath(a, b, kind, sameRoute, laneY) {
  const ay = a.y + NODE_H / 2, by = b.y + NODE_H / 2;
  if (laneY !== undefined) {
    // up into the lane, along it, down into the blocker
    const sx = a.x, tx = b.x + NODE_W, r = COL_GAP / 2;
    const d = `M${sx},${ay} C${sx - r},${ay} ${sx - r},${laneY} ${sx - r - 20},${laneY} `
      + `L${tx + r + 20},${laneY} C${tx + r},${laneY} ${tx + r},${by} ${tx},${by}`;
    return { d, mid: [(sx + tx) / 2, laneY] };
  }
  let p;
  if (b.col < a.col) {
    // the usual case: the blocker stands in a column to the left
    const sx = a.x, tx = b.x + NODE_W, dx = Math.max(40, (sx - tx) / 2);
    p = [[sx, ay], [sx - dx, ay], [tx + dx, by], [tx, by]];
  } else if (b.col > a.col) {
    // a back edge closing a cycle: bend it below the straight line so both directions show
    const sx = a.x + NODE_W, tx = b.x, dx = Math.max(40, (tx - sx) / 2), bend = NODE_H * 0.9;
    p = [[sx, ay + 8], [sx + dx, ay + bend], [tx - dx, by + bend], [tx, by + 8]];
  } else {
    // same column: loop out to the right
    const sx = a.x + NODE_W, bulge = 70 + Math.abs(by - ay) * 0.15;
    p = [[sx, ay], [sx + bulge, ay], [sx + bulge, by], [sx, by]];
  }
  if (sameRoute) p = p.map(([x, y], i) => (i === 0 || i === 3) ? [x, y] : [x, y + (kind === 'deadlock' ? 14 : -14)]);
  const d = `M${p[0]} C${p[1]} ${p[2]} ${p[3]}`;
  const mid = [0, 1].map(i => (p[0][i] + 3 * p[1][i] + 3 * p[2][i] + p[3][i]) / 8);
  return { d, mid };
}

/**
 * @param container element to draw into (its content is replaced)
 * @param nodes Map id → {id, owner, label, classes: [], title, badge}
 * @param edges [{from, to, kind: 'wait'|'deadlock', text, since, title}]
 */
export function drawGraph(container, nodes, edges, now) {
  container.replaceChildren();
  if (nodes.size === 0) {
    const p = document.createElement('p');
    p.className = 'hint graph-empty';
    p.textContent = 'Nobody is waiting for anybody.';
    container.append(p);
    return;
  }
  let shown = nodes;
  if (nodes.size > MAX_NODES) {
    shown = new Map([...nodes].slice(0, MAX_NODES));
    edges = edges.filter(e => shown.has(e.from) && shown.has(e.to));
  }
  const { pos, width, height, lanes } = layout(shown, edges);
  const waits = edges.filter(e => e.kind === 'wait').length;
  const svg = el('svg', {
    viewBox: `0 0 ${width} ${height}`, width, height, role: 'img',
    'aria-label': `Wait-for graph: ${shown.size} transactions, ${waits} waits. The waiting table lists the same.`,
  });
  const marker = kind => el('marker', {
    id: `arrow-${kind}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
    orient: 'auto-start-reverse', class: `arrowhead ${kind}`,
  }, el('path', { d: 'M0,0 L10,5 L0,10 z' }));
  svg.append(el('defs', {}, marker('wait'), marker('deadlock')));

  const edgeLayer = el('g', { class: 'edges' });
  const labelLayer = el('g', { class: 'edge-labels' });
  for (const e of edges) {
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) continue;
    // a deadlock edge drawn over a live wait between the same two: shift it to keep both visible
    const sameRoute = e.kind === 'deadlock' && edges.some(o => o !== e && o.kind === 'wait' && o.from === e.from && o.to === e.to);
    const shift = sameRoute || (e.kind === 'wait' && edges.some(o => o.kind === 'deadlock' && o.from === e.from && o.to === e.to));
    const { d, mid } = edgePath(a, b, e.kind, shift, lanes.get(e));
    const g = el('g', { class: `edge ${e.kind}`, 'data-from': e.from, 'data-to': e.to },
      el('title', {}, e.title ?? ''),
      el('path', { d, 'marker-end': `url(#arrow-${e.kind})` }));
    edgeLayer.append(g);
    if (e.text) {
      const text = el('text', { x: mid[0], y: mid[1] - 5, class: `edge-label ${e.kind}`, 'text-anchor': 'middle' });
      if (e.since !== undefined) {
        text.dataset.since = e.since;
        text.dataset.prefix = `${e.text} · `;
        text.textContent = `${e.text} · ${formatAge(now - e.since)}`;
      } else {
        text.textContent = e.text;
      }
      labelLayer.append(text);
    }
  }

  const nodeLayer = el('g', { class: 'nodes' });
  for (const [id, n] of shown) {
    const p = pos.get(id);
    const g = el('g', { class: ['node', ...(n.classes ?? [])].join(' '), 'data-transaction': id, transform: `translate(${p.x},${p.y})` },
      el('title', {}, n.title ?? id),
      el('rect', { width: NODE_W, height: NODE_H, rx: 8 }),
      el('text', { x: 10, y: 20, class: 'owner' }, clip(n.owner || `tx ${shortId(id)}`, 24)),
      el('text', { x: 10, y: 38, class: 'label' }, clip(n.label ?? '', 28)));
    if (n.badge) {
      g.append(el('text', { x: NODE_W - 8, y: -6, class: 'badge', 'text-anchor': 'end' }, n.badge));
    }
    nodeLayer.append(g);
  }
  svg.append(edgeLayer, nodeLayer, labelLayer);
  container.append(svg);
  if (nodes.size > shown.size) {
    const p = document.createElement('p');
    p.className = 'hint';
    p.textContent = `Showing ${shown.size} of ${nodes.size} transactions: filter by space or owner to see the rest.`;
    container.append(p);
  }
}
