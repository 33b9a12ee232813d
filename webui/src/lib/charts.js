// Charts: small SVG marks drawn by hand (sparklines, donuts, bars) and
// uPlot for the time axes, where its scales, cursor and resizing earn
// their keep.

import uPlot from 'uplot';
import { h, num, s, short } from './dom.js';

export const SEV_COLORS = ['', 'var(--sev-low)', 'var(--sev-med)', 'var(--sev-high)'];
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** sparkline draws 24 hourly bars. */
export function sparkline(hours, color = 'var(--accent)', w = 96, hgt = 18) {
  const max = Math.max(1, ...hours);
  const bw = w / hours.length;
  const svg = s('svg', { width: w, height: hgt, viewBox: `0 0 ${w} ${hgt}`, class: 'spark' });
  hours.forEach((v, i) => {
    if (!v) return;
    const bh = Math.max(1.5, (v / max) * hgt);
    svg.append(s('rect', { x: i * bw + 0.5, y: hgt - bh, width: Math.max(1, bw - 1), height: bh, fill: color }));
  });
  return svg;
}

/** donut draws parts [{name, n}] as a ring; onpick(name) when a slice is clicked. */
export function donut(parts, size = 64, onpick) {
  const total = parts.reduce((a, p) => a + p.n, 0) || 1;
  const r = size / 2, ir = r * 0.62;
  const svg = s('svg', { width: size, height: size, viewBox: `0 0 ${size} ${size}`, class: 'donut' });
  let a0 = -Math.PI / 2;
  parts.forEach((p, i) => {
    const frac = p.n / total;
    if (frac <= 0) return;
    const a1 = a0 + Math.min(frac, 0.9999) * 2 * Math.PI;
    const large = a1 - a0 > Math.PI ? 1 : 0;
    const pt = (rad, a) => `${r + rad * Math.cos(a)},${r + rad * Math.sin(a)}`;
    const d = `M${pt(r, a0)}A${r},${r} 0 ${large} 1 ${pt(r, a1)}L${pt(ir, a1)}A${ir},${ir} 0 ${large} 0 ${pt(ir, a0)}Z`;
    const path = s('path', { d, fill: p.color || PALETTE[i % PALETTE.length], class: onpick ? 'pick' : '' },
      s('title', {}, `${p.label || p.name}: ${num(p.n)}`));
    if (onpick) path.addEventListener('click', (e) => { e.stopPropagation(); onpick(p.name); });
    svg.append(path);
    a0 = a1;
  });
  return svg;
}

/** bars lists [{name, n}] as labelled horizontal bars. */
export function bars(items, onpick, color = 'var(--accent)') {
  const max = Math.max(1, ...items.map((i) => i.n));
  return h('div.bars', items.map((it) => h('div.bar-row' + (onpick ? '.pick' : ''), { title: `${it.name}: ${num(it.n)}`, onclick: onpick && (() => onpick(it.name)) },
    h('span.bar-label', it.label || it.name),
    h('span.bar-track', h('span.bar-fill', { style: { width: (100 * it.n / max).toFixed(1) + '%', background: it.color || color } })),
    h('span.bar-n', short(it.n)))));
}

/** splitBar draws the severity split as one stacked bar. */
export function splitBar(values, colors) {
  const total = values.reduce((a, b) => a + b, 0) || 1;
  return h('div.split', values.map((v, i) => v ? h('span', { style: { width: (100 * v / total) + '%', background: colors[i] }, title: num(v) }) : null));
}

export function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/**
 * hourChart plots events per hour of the (tenant's) day as bars stacked
 * by severity (series: [{label, color, values[24]}], bottom first). It
 * returns the uPlot instance; call .destroy() when the view goes.
 */
export function hourChart(el, series, onhour) {
  const xs = Array.from({ length: 24 }, (_, i) => i);
  const stacked = [];
  let acc = new Array(24).fill(0);
  for (const sr of series) {
    acc = acc.map((v, i) => v + sr.values[i]);
    stacked.push(acc.slice());
  }
  const barPaths = uPlot.paths.bars({ size: [0.8, 64] });
  const fg = cssVar('--muted'), grid = cssVar('--grid');
  const label = (i) => String(i).padStart(2, '0') + ':00';
  const opts = {
    width: el.clientWidth || 800, height: 150,
    legend: { show: false }, cursor: { points: { show: false }, drag: { x: false, y: false } },
    scales: { x: { time: false, range: [-0.6, 23.6] }, y: { range: (u, lo, hi) => [0, Math.max(1, hi) * 1.1] } },
    axes: [
      { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { show: false }, incrs: [1, 2, 3, 6], values: (u, vals) => vals.map((v) => (Number.isInteger(v) ? label(v) : '')) },
      { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { show: false }, size: 44, values: (u, vals) => vals.map((v) => short(v)) },
    ],
    series: [{}].concat(series.map((sr) => ({ label: sr.label, fill: sr.color, stroke: sr.color, width: 0, paths: barPaths, points: { show: false } })).reverse()),
    hooks: onhour ? { init: [(u) => u.over.addEventListener('click', () => { if (u.cursor.idx != null) onhour(u.cursor.idx); })] } : {},
  };
  // Drawn tallest first so each lower stack shows in front.
  const data = [xs].concat(stacked.slice().reverse());
  const u = new uPlot(opts, data, el);
  const tip = h('div.u-tip');
  el.append(tip);
  u.over.addEventListener('mousemove', () => {
    const i = u.cursor.idx;
    if (i == null) { tip.style.display = 'none'; return; }
    tip.style.display = 'block';
    tip.replaceChildren(h('b', `${label(i)}–${label(i + 1)}`),
      ...series.slice().reverse().map((sr) => h('div', h('i', { style: { background: sr.color } }), `${sr.label} ${num(sr.values[i])}`)));
    tip.style.left = Math.min(u.over.clientWidth - 140, u.valToPos(i, 'x') + 12) + 'px';
  });
  u.over.addEventListener('mouseleave', () => { tip.style.display = 'none'; });
  return u;
}

/** trendChart plots daily values as a line (the MSSP overview's 7-day trend). */
export function trendChart(el, days, values, color) {
  const xs = days.map((d) => Date.parse(d + 'T00:00:00Z') / 1000);
  const fg = cssVar('--muted'), grid = cssVar('--grid');
  return new uPlot({
    width: el.clientWidth || 300, height: 120, legend: { show: false }, cursor: { points: { size: 6 } },
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    scales: { y: { range: (u, lo, hi) => [0, Math.max(1, hi) * 1.15] } },
    axes: [{ stroke: fg, grid: { stroke: grid }, ticks: { show: false }, values: (u, v) => v.map((x) => new Date(x * 1000).toISOString().slice(5, 10)) },
      { stroke: fg, grid: { stroke: grid }, ticks: { show: false }, size: 40, values: (u, v) => v.map(short) }],
    series: [{}, { stroke: color, width: 2, fill: color + '22', points: { show: true, size: 4 } }],
  }, [xs, values], el);
}
