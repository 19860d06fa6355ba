// Small text helpers shared by the tables and the graph. Everything that comes from the
// server ends up in textContent, never in innerHTML.

/** "4s", "2m 05s", "1h 02m" */
export function formatAge(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** Instants arrive as ISO strings (or epoch millis); returns epoch millis or NaN. */
export function toMillis(instant) {
  if (typeof instant === 'number') return instant;
  if (typeof instant === 'string') return Date.parse(instant);
  return NaN;
}

/** "14:03:27" today, "Nov 21, 14:03:27" before. */
export function clockTime(ms) {
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms);
  const time = d.toLocaleTimeString([], { hour12: false });
  return d.toDateString() === new Date().toDateString()
    ? time : `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })}, ${time}`;
}

export function shortId(id) {
  const s = String(id ?? '');
  return s.length > 8 ? s.slice(0, 8) : s;
}

/** "AccumulationRegister.Stock" → "Stock": for the graph, where room is short. */
export function shortSpace(space) {
  const s = String(space ?? '');
  return s.includes('.') ? s.slice(s.lastIndexOf('.') + 1) : s;
}

function scalar(v) {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** One field condition as the contract writes it: scalar, {in:[…]} or {from,to}. */
export function formatCondition(name, cond) {
  if (cond !== null && typeof cond === 'object' && !Array.isArray(cond)) {
    if (Array.isArray(cond.in)) return `${name} ∈ {${cond.in.map(scalar).join(', ')}}`;
    const hasFrom = cond.from !== undefined && cond.from !== null;
    const hasTo = cond.to !== undefined && cond.to !== null;
    if (hasFrom && hasTo) return `${name} ${scalar(cond.from)} … ${scalar(cond.to)}`;
    if (hasFrom) return `${name} ≥ ${scalar(cond.from)}`;
    if (hasTo) return `${name} ≤ ${scalar(cond.to)}`;
    return `${name} ${JSON.stringify(cond)}`;
  }
  return `${name} = ${scalar(cond)}`;
}

/** A field not named means every value of it, so no fields at all is the whole space. */
export function formatFields(fields) {
  if (!fields || typeof fields !== 'object' || Object.keys(fields).length === 0) return 'whole space';
  return Object.entries(fields).map(([k, v]) => formatCondition(k, v)).join(' · ');
}

/** "posting-7f9c · Shipment S-12", or the short transaction id when it has neither. */
export function who(party) {
  const parts = [party?.owner, party?.label].filter(p => p !== undefined && p !== null && p !== '');
  return parts.length ? parts.join(' · ') : `tx ${shortId(party?.transaction ?? party?.id)}`;
}
