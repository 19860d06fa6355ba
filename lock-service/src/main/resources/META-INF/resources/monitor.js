// The live lock monitor: follows GET v1/locks/stream (server-sent events) and draws what is
// locked now, who waits for whom, and the incidents as they happen. Plain ES modules, no build.
//
// Events (see lock-service README): `snapshot` = the GET /v1/locks body
// {locks:[{transaction,principal,owner,label,space,mode,fields,since}], waits:[{…, blockedBy:[ids]}]};
// `incident` = an incident as GET v1/lock-incidents lists it: {kind: WAIT|TIMEOUT|DEADLOCK|ESCALATION|EXPIRY,
// at, space, transaction, principal, owner, label, fields, waitedMs, blockedBy, cycle, escalated} (kinds are
// lower-cased here, for CSS classes); a deadlock's cycle starts with the victim, in wait-for order.
// The history panel asks GET v1/lock-incidents for a chosen time range.

import { formatAge, formatFields, toMillis, clockTime, shortId, shortSpace, who } from './format.js';
import { drawGraph } from './graph.js';

const MAX_ROWS = 500;          // a table longer than this is unreadable anyway: filter instead
const MAX_HISTORY = 25;           // shown, after filtering
const MAX_INCIDENTS = 200;        // kept, so a filter still finds its space's last ones
const MAX_KNOWN = 5000;

const $ = id => document.getElementById(id);

const state = {
  locks: [],
  waits: [],
  // owner/label of transactions seen, so an incident about a transaction that has already
  // ended (a deadlock victim) can still name it and its cycle
  known: new Map(),
  incidents: [],
  seenIncidents: new Set(),
  // highlights stay while the transactions they are about still hold or wait
  deadlocks: [],               // [{victim, cycle, space, at}]
  escalations: new Map(),      // "tx\u0000space" → incident
  filter: { space: '', owner: '' },
  snapshots: 0,
  clockOffset: 0,
};

// ---------- small DOM helper ----------

function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else if (k in e) e[k] = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== undefined && c !== null && c !== false) e.append(c);
  return e;
}

/** A cell whose text is kept current by the one-second tick. */
function ageSpan(since, prefix = '') {
  const ms = toMillis(since);
  const span = h('span', { class: 'age' });
  if (Number.isFinite(ms)) {
    span.dataset.since = ms;
    span.dataset.prefix = prefix;
    span.textContent = prefix + formatAge(Date.now() - ms);
    span.title = `since ${new Date(ms).toLocaleString()}`;
  } else {
    span.textContent = '—';
  }
  return span;
}

function party(p) {
  const id = p?.transaction ?? p?.id;
  const known = state.known.get(id) ?? {};
  const owner = p?.owner ?? known.owner, label = p?.label ?? known.label;
  const principal = p?.principal ?? known.principal;
  return h('span', { class: 'party', title: `transaction ${id ?? '?'}${principal ? `, begun by ${principal}` : ''}` },
    h('span', { class: 'owner' }, owner || `tx ${shortId(id)}`),
    label ? h('span', { class: 'label' }, label) : null,
    principal ? h('span', { class: 'principal' }, principal) : null);
}

function modeBadge(mode) {
  return h('span', { class: `mode ${String(mode).toLowerCase()}` }, String(mode ?? ''));
}

// ---------- filtering ----------

function matchesOwner(owner) {
  const f = state.filter.owner.trim().toLowerCase();
  return !f || String(owner ?? '').toLowerCase().includes(f);
}

function matchesSpace(space) {
  return !state.filter.space || space === state.filter.space;
}

function ownerOf(id) {
  return state.locks.find(l => l.transaction === id)?.owner
    ?? state.waits.find(w => w.transaction === id)?.owner
    ?? state.known.get(id)?.owner;
}

function waitMatches(w) {
  return matchesSpace(w.space)
    && (matchesOwner(w.owner) || (w.blockedBy ?? []).some(b => matchesOwner(ownerOf(blockerId(b)))));
}

/** blockedBy holds transaction ids; tolerate objects ({transaction, …}) too. */
function blockerId(b) {
  return typeof b === 'object' && b !== null ? b.transaction : b;
}

// ---------- rendering ----------

function renderTotals() {
  const spaces = new Map();
  const at = space => spaces.get(space) ?? spaces.set(space, { held: 0, waiting: 0, oldest: Infinity }).get(space);
  for (const l of state.locks) at(l.space).held++;
  for (const w of state.waits) {
    const t = at(w.space);
    t.waiting++;
    t.oldest = Math.min(t.oldest, w.sinceMs);
  }
  const list = $('totals');
  list.replaceChildren(...[...spaces].sort(([a], [b]) => a.localeCompare(b)).map(([space, t]) =>
    h('li', { class: `total${t.waiting ? ' has-waits' : ''}${state.filter.space === space ? ' selected' : ''}`, 'data-space': space },
      h('button', {
        type: 'button', class: 'space-name', title: `Show only ${space}`,
        'aria-pressed': String(state.filter.space === space),
        onclick: () => setFilter({ space: state.filter.space === space ? '' : space }),
      }, space),
      h('dl', {},
        h('div', {}, h('dt', {}, 'held'), h('dd', { class: 'held' }, String(t.held))),
        h('div', {}, h('dt', {}, 'waiting'), h('dd', { class: 'waiting' }, String(t.waiting))),
        h('div', {}, h('dt', {}, 'longest wait'),
          h('dd', { class: 'longest' }, Number.isFinite(t.oldest) ? ageSpan(t.oldest) : '—'))))));
  $('totals-empty').hidden = spaces.size > 0;

  // keep the filter choices in step with what exists (plus the chosen one)
  const select = $('filter-space');
  const names = new Set([...spaces.keys(), ...(state.filter.space ? [state.filter.space] : [])]);
  const current = [...select.options].slice(1).map(o => o.value);
  const wanted = [...names].sort();
  if (current.join('\u0000') !== wanted.join('\u0000')) {
    select.replaceChildren(h('option', { value: '' }, 'All spaces'), ...wanted.map(s => h('option', { value: s }, s)));
  }
  select.value = state.filter.space;
  const owners = new Set([...state.locks, ...state.waits].map(x => x.owner).filter(Boolean));
  $('owners').replaceChildren(...[...owners].sort().map(o => h('option', { value: o })));
}

function isEscalated(tx, space) {
  return state.escalations.has(`${tx}\u0000${space}`);
}

function renderLocks() {
  const rows = state.locks
    .filter(l => matchesSpace(l.space) && matchesOwner(l.owner))
    .sort((a, b) => a.sinceMs - b.sinceMs);
  const tbody = $('locks').tBodies[0];
  tbody.replaceChildren(...rows.slice(0, MAX_ROWS).map(l => {
    const escalated = isEscalated(l.transaction, l.space);
    return h('tr', { class: escalated ? 'escalated' : '', 'data-transaction': l.transaction, 'data-space': l.space },
      h('td', {}, l.space),
      h('td', {}, modeBadge(l.mode)),
      h('td', { class: 'fields' }, formatFields(l.fields), escalated ? h('span', { class: 'tag escalated' }, 'escalated') : null),
      h('td', { class: 'principal' }, l.principal ?? ''),
      h('td', {}, l.owner ?? ''),
      h('td', {}, l.label ?? ''),
      h('td', { class: 'tx', title: l.transaction }, shortId(l.transaction)),
      h('td', { class: 'num' }, ageSpan(l.sinceMs)));
  }));
  $('locks-count').textContent = countText(rows.length, state.locks.length);
  $('locks-empty').hidden = rows.length > 0;
  $('locks-empty').textContent = state.locks.length ? 'No held lock matches the filter.' : 'No locks are held.';
  $('locks').hidden = rows.length === 0;
}

function renderWaits() {
  const rows = state.waits.filter(waitMatches).sort((a, b) => a.sinceMs - b.sinceMs);
  const tbody = $('waits').tBodies[0];
  tbody.replaceChildren(...rows.slice(0, MAX_ROWS).map(w =>
    h('tr', { 'data-transaction': w.transaction, 'data-space': w.space },
      h('td', {}, party(w)),
      h('td', {}, w.space),
      h('td', {}, modeBadge(w.mode)),
      h('td', { class: 'fields' }, formatFields(w.fields)),
      h('td', { class: 'blockers' }, ...(w.blockedBy ?? []).map(b =>
        party(typeof b === 'object' && b !== null ? b : { transaction: b, owner: ownerOf(b), label: labelOf(b) }))),
      h('td', { class: 'num' }, ageSpan(w.sinceMs)))));
  $('waits-count').textContent = countText(rows.length, state.waits.length);
  $('waits-empty').hidden = rows.length > 0;
  $('waits-empty').textContent = state.waits.length ? 'No wait matches the filter.' : 'Nobody is waiting.';
  $('waits').hidden = rows.length === 0;
}

function labelOf(id) {
  return state.locks.find(l => l.transaction === id)?.label
    ?? state.waits.find(w => w.transaction === id)?.label
    ?? state.known.get(id)?.label;
}

function countText(shown, total) {
  if (total === 0) return '';
  const capped = Math.min(shown, MAX_ROWS);
  return shown === total && capped === shown ? `(${total})` : `(${capped} of ${total})`;
}

function renderGraph() {
  const nodes = new Map();
  const edges = [];
  const node = id => {
    if (!nodes.has(id)) {
      const held = state.locks.filter(l => l.transaction === id);
      const waiting = state.waits.find(w => w.transaction === id);
      nodes.set(id, {
        id, owner: ownerOf(id), label: labelOf(id), classes: [],
        title: [`transaction ${id}`, who({ transaction: id, owner: ownerOf(id), label: labelOf(id) }),
          `holds ${held.length} lock${held.length === 1 ? '' : 's'}`,
          waiting ? `waits in ${waiting.space}` : ''].filter(Boolean).join('\n'),
      });
    }
    return nodes.get(id);
  };
  for (const w of state.waits.filter(waitMatches)) {
    node(w.transaction).classes.push('waiting');
    for (const b of w.blockedBy ?? []) {
      const to = blockerId(b);
      node(to);
      edges.push({
        from: w.transaction, to, kind: 'wait', text: shortSpace(w.space), since: w.sinceMs,
        title: `${who(w)} waits for ${who({ transaction: to, owner: ownerOf(to), label: labelOf(to) })} in ${w.space} (${w.mode} ${formatFields(w.fields)})`,
      });
    }
  }
  for (const d of state.deadlocks) {
    if (!matchesSpace(d.space)) continue;
    const cycle = d.cycle.length ? d.cycle : [d.victim];
    cycle.forEach((id, i) => {
      const n = node(id);
      n.classes.push(id === d.victim ? 'victim' : 'deadlock');
      if (id === d.victim) n.badge = 'deadlock victim';
      const next = cycle[(i + 1) % cycle.length];
      if (cycle.length > 1) {
        edges.push({
          from: id, to: next, kind: 'deadlock',
          title: `deadlock at ${clockTime(d.at)} in ${d.space}: ${cycle.map(c => who({ transaction: c, ...state.known.get(c) })).join(' → ')}`,
        });
      }
    });
  }
  // an escalated lock covers a whole space and is likely to block others: show its holder too
  for (const e of state.escalations.values()) {
    if (!matchesSpace(e.space) || !matchesOwner(ownerOf(e.transaction))) continue;
    const n = node(e.transaction);
    n.classes.push('escalated');
    n.badge ??= `escalated: ${shortSpace(e.space)}`;
  }
  drawGraph($('graph'), nodes, edges, Date.now());
}

function incidentText(i) {
  const subject = who({ transaction: i.transaction, owner: i.owner, label: i.label });
  switch (i.kind) {
    case 'deadlock': return `Deadlock in ${i.space}: ${subject} was chosen as victim and ended`;
    case 'timeout': return `Lock timeout in ${i.space}: ${subject} gave up waiting`;
    case 'escalation': return `Escalation in ${i.space}: ${subject} now locks ${formatFields(i.fields)}`;
    case 'wait': return `Long wait in ${i.space}: ${subject} waited ${formatAge(i.waitedMs)}`;
    case 'expiry': return `Lease ran out: ${subject} was ended and its locks freed`;
    default: return `${i.kind} in ${i.space}: ${subject}`;
  }
}

/** One incident as a list item: the recent list and the history of a time range draw the same. */
function incidentItem(i) {
  const details = [];
  if (i.kind === 'deadlock' && Array.isArray(i.cycle) && i.cycle.length) {
    details.push(h('div', { class: 'detail' }, h('span', { class: 'key' }, 'cycle '),
      ...i.cycle.flatMap((id, n) => [n ? ' → ' : '', party({ transaction: id, ...(state.known.get(id) ?? {}) })]),
      ' → ', party({ transaction: i.cycle[0], ...(state.known.get(i.cycle[0]) ?? {}) })));
  }
  if (Array.isArray(i.blockedBy) && i.blockedBy.length) {
    details.push(h('div', { class: 'detail' }, h('span', { class: 'key' }, i.kind === 'wait' ? 'waited for ' : 'blocked by '),
      ...i.blockedBy.map(b => typeof b === 'object' && b !== null
        ? h('span', { class: 'blocker' }, party(b), b.mode ? modeBadge(b.mode) : null,
            b.fields !== undefined ? h('span', { class: 'fields' }, formatFields(b.fields)) : null)
        : party({ transaction: b, ...(state.known.get(b) ?? {}) }))));
  }
  return h('li', { class: `incident ${i.kind}`, 'data-kind': i.kind, 'data-transaction': i.transaction },
    h('div', { class: 'head' },
      h('time', { datetime: new Date(i.atMs).toISOString() }, clockTime(i.atMs)),
      h('span', { class: `tag ${i.kind}` }, i.kind),
      h('span', { class: 'space' }, i.space ?? '')),
    h('div', { class: 'subject' }, party(i),
      i.kind === 'deadlock' ? h('span', { class: 'note' }, ' victim, its transaction was ended') : null,
      i.kind === 'timeout' ? h('span', { class: 'note' }, ' gave up waiting') : null,
      i.kind === 'wait' ? h('span', { class: 'note' }, ` waited ${formatAge(i.waitedMs)}`) : null,
      i.kind === 'escalation' ? h('span', { class: 'note' }, ` now locks ${formatFields(i.fields)}`) : null,
      i.kind === 'expiry' ? h('span', { class: 'note' }, ' lease ran out, its transaction was ended') : null),
    ...details);
}

/** An incident as the API sends it, as the page keeps it: lower-case kind, `at` in local ms. */
function normalised(i) {
  const atMs = Number.isFinite(toMillis(i.at)) ? toMillis(i.at) : Date.now();
  const cycle = Array.isArray(i.cycle) ? [...i.cycle] : [];
  if (cycle.length > 1 && cycle[0] === cycle[cycle.length - 1]) cycle.pop();   // [a, b, a] is the cycle a → b → a
  return { ...i, kind: String(i.kind).toLowerCase(), atMs, cycle };
}

function renderHistory() {
  const shown = state.incidents.filter(i => matchesSpace(i.space) && matchesOwner(i.owner)).slice(0, MAX_HISTORY);
  $('history').replaceChildren(...shown.map(incidentItem));
  $('history-empty').hidden = shown.length > 0;
  $('history-empty').textContent = state.incidents.length
    ? 'No incident matches the filter.' : 'No long waits, timeouts, deadlocks, escalations or expired leases recently.';
}

/** The history of a chosen time range (empty "to": now), of the space filtered on, oldest first. */
async function showRange() {
  const from = $('range-from').value, to = $('range-to').value;
  const params = new URLSearchParams({ limit: '1000' });
  if (from) params.set('from', new Date(from).toISOString());
  if (to) params.set('to', new Date(to).toISOString());
  if (state.filter.space) params.set('space', state.filter.space);
  if ($('range-kind').value) params.set('kind', $('range-kind').value);
  const status = $('range-status');
  status.textContent = 'Loading…';
  try {
    const r = await fetch(`v1/lock-incidents?${params}`, { headers: { Accept: 'application/json' } });
    const body = await r.json();
    if (!r.ok) {
      status.textContent = body.detail ?? body.title ?? `Error ${r.status}`;
      $('range-history').replaceChildren();
      return;
    }
    const shown = body.incidents.map(normalised).filter(i => matchesOwner(i.owner));
    shown.forEach(remember);
    $('range-history').replaceChildren(...shown.map(incidentItem));
    status.textContent = shown.length ? `${shown.length} incident${shown.length > 1 ? 's' : ''}, oldest first.`
      : 'No incident in this range.';
  } catch {
    status.textContent = 'The lock service did not answer.';
  }
}

// Under load the stream may send many snapshots a second: draw at most five times a second.
let renderTimer = null;
let lastRender = 0;
function scheduleRender() {
  if (renderTimer !== null) return;
  renderTimer = setTimeout(() => { renderTimer = null; render(); }, Math.max(0, lastRender + 200 - performance.now()));
}

function render() {
  clearTimeout(renderTimer);
  renderTimer = null;
  lastRender = performance.now();
  renderTotals();
  renderWaits();
  renderLocks();
  renderGraph();
  renderHistory();
}

// ---------- the one-second tick: ages move without a new snapshot ----------

function tick() {
  const now = Date.now();
  for (const e of document.querySelectorAll('[data-since]')) {
    e.textContent = (e.dataset.prefix ?? '') + formatAge(now - Number(e.dataset.since));
  }
}

// ---------- data ----------

function remember(x) {
  if (!x?.transaction) return;
  state.known.delete(x.transaction);
  state.known.set(x.transaction, { principal: x.principal, owner: x.owner, label: x.label });
  while (state.known.size > MAX_KNOWN) state.known.delete(state.known.keys().next().value);
}

/**
 * Where the server gives an entry's age (ageMs, measured on the server's clock) the page counts
 * from that rather than from `since`, so a browser whose clock is off still shows true ages.
 */
function localSince(x, receivedAt) {
  x.sinceMs = Number.isFinite(x.ageMs) ? receivedAt - x.ageMs : toMillis(x.since);
  return x;
}

function applySnapshot(s) {
  state.snapshots++;
  const receivedAt = Date.now();
  state.locks = (Array.isArray(s?.locks) ? s.locks : []).map(x => localSince(x, receivedAt));
  state.waits = (Array.isArray(s?.waits) ? s.waits : []).map(x => localSince(x, receivedAt));
  // how far the server's clock is ahead of ours, to judge the age of an incident's `at`
  const sample = [...state.locks, ...state.waits].find(x => Number.isFinite(x.ageMs) && Number.isFinite(toMillis(x.since)));
  if (sample) state.clockOffset = toMillis(sample.since) + sample.ageMs - receivedAt;
  state.locks.forEach(remember);
  state.waits.forEach(remember);
  const live = new Set([...state.locks, ...state.waits].map(x => x.transaction));
  // a deadlock stays drawn while anyone of its cycle still holds or waits
  state.deadlocks = state.deadlocks.filter(d => d.cycle.some(id => id !== d.victim && live.has(id)));
  for (const [key, e] of state.escalations) {
    if (!state.locks.some(l => l.transaction === e.transaction && l.space === e.space)) state.escalations.delete(key);
  }
  scheduleRender();
}

function addIncident(raw) {
  if (!raw || !raw.kind) return;
  const incident = normalised(raw);
  const i = incident, atMs = incident.atMs, cycle = incident.cycle;
  if (state.seenIncidents.has(incidentKey(i))) return;   // a reconnect replays the recent ones
  state.seenIncidents.add(incidentKey(i));
  remember(incident);
  state.incidents = [incident, ...state.incidents].sort((a, b) => b.atMs - a.atMs).slice(0, MAX_INCIDENTS);
  if (state.seenIncidents.size > 4 * MAX_INCIDENTS) state.seenIncidents = new Set(state.incidents.map(incidentKey));
  // Highlights are for what is still going on. An old incident replayed at connect whose
  // transactions are all gone goes to the history only.
  const old = atMs < Date.now() + state.clockOffset - 5000;
  const live = new Set([...state.locks, ...state.waits].map(x => x.transaction));
  if (i.kind === 'deadlock' && !(old && !cycle.some(id => id !== i.transaction && live.has(id)))) {
    state.deadlocks.push({ victim: i.transaction, cycle, space: i.space, at: atMs });
  } else if (i.kind === 'escalation'
      && !(old && !state.locks.some(l => l.transaction === i.transaction && l.space === i.space))) {
    state.escalations.set(`${i.transaction}\u0000${i.space}`, incident);
  }
  if (!old) announce(incidentText(incident));
  scheduleRender();
}

function incidentKey(i) {
  return [i.kind, i.transaction, i.space, i.at].join('\u0000');
}

function announce(text) {
  const a = $('announcer');
  a.textContent = '';
  requestAnimationFrame(() => { a.textContent = text; });
}

// ---------- the stream, reconnecting ----------

let source = null;
let retryMs = 1000;
let retryTimer = null;

function setConnection(stateName, text) {
  const c = $('connection');
  c.dataset.state = stateName;
  $('connection-text').textContent = text;
}

/** The stream sends a snapshot when it opens; the plain GET covers a server that does not. */
async function fetchSnapshot() {
  const before = state.snapshots;
  try {
    const r = await fetch('v1/locks', { headers: { Accept: 'application/json' } });
    if (r.ok && state.snapshots === before) applySnapshot(await r.json());
  } catch { /* the stream's error handler reports the outage */ }
}

function connect() {
  clearTimeout(retryTimer);
  source?.close();
  setConnection('connecting', 'Connecting…');
  source = new EventSource('v1/locks/stream');
  source.addEventListener('open', () => {
    retryMs = 1000;
    setConnection('live', 'Live');
    fetchSnapshot();
  });
  source.addEventListener('snapshot', e => applySnapshot(JSON.parse(e.data)));
  source.addEventListener('incident', e => addIncident(JSON.parse(e.data)));
  source.addEventListener('message', e => {          // unnamed events: tell them apart by shape
    const data = JSON.parse(e.data);
    if (data && data.kind) addIncident(data);
    else if (data && (data.locks || data.waits)) applySnapshot(data);
  });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) {
      // the browser gave up (e.g. an error status): retry ourselves, backing off to 15 s
      setConnection('offline', `Disconnected, retrying in ${Math.round(retryMs / 1000)}s…`);
      retryTimer = setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 15000);
    } else {
      setConnection('reconnecting', 'Reconnecting…');
    }
  });
}

// ---------- filters (kept in the address so a view can be shared) ----------

function setFilter(change) {
  Object.assign(state.filter, change);
  const url = new URL(location.href);
  for (const [k, v] of Object.entries(state.filter)) v ? url.searchParams.set(k, v) : url.searchParams.delete(k);
  history.replaceState(null, '', url);
  $('filter-space').value = state.filter.space;
  $('filter-owner').value = state.filter.owner;
  render();
}

function start() {
  const params = new URLSearchParams(location.search);
  state.filter.space = params.get('space') ?? '';
  state.filter.owner = params.get('owner') ?? '';
  $('filter-owner').value = state.filter.owner;
  $('filter-space').addEventListener('change', e => setFilter({ space: e.target.value }));
  for (const type of ['input', 'change']) {
    $('filter-owner').addEventListener(type, e => setFilter({ owner: e.target.value }));
  }
  $('filters').addEventListener('reset', e => { e.preventDefault(); setFilter({ space: '', owner: '' }); });
  $('filters').addEventListener('submit', e => e.preventDefault());
  const hourAgo = new Date(Date.now() - 3600_000);
  $('range-from').value = new Date(hourAgo.getTime() - hourAgo.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  $('range').addEventListener('submit', e => { e.preventDefault(); showRange(); });
  render();
  setInterval(tick, 1000);
  connect();
}

start();
