/* vmtrace HTML report: draws window.VT_DATA (written by vmtrace analyze --html).
 * Rows hold exact intervals [start, dur, state, detail] (all where they were
 * few, the first of each bin elsewhere) and sub-bins [start, width, ns per
 * state...] for the rest (docs/reports.md);
 * both are summed per pixel column, so drawing costs the same however long the
 * trace. Times are ns from VT_DATA.t0 (a decimal string: epoch ns exceed 2^53). */
(function () {
'use strict';
const D = window.VT_DATA;
const VCPU_STATES = ['UNKNOWN', 'IDLE', 'GUEST', 'HYPERVISOR', 'PREEMPTED'];
const THREAD_STATES = VCPU_STATES.concat(['RUNNABLE', 'SLEEPING']);
const STATE_COLORS = {UNKNOWN: '#c7c7c7', IDLE: '#e6e6e6', GUEST: '#2ca02c', HYPERVISOR: '#ff9f1c',
	PREEMPTED: '#d62728', RUNNABLE: '#9467bd', SLEEPING: '#fbfbfb'};
const GUEST_PALETTE = ['#1f77b4', '#17becf', '#8c564b', '#e377c2', '#bcbd22', '#393b79', '#637939', '#7b4173'];
const CPU_STATES = ['idle', 'host thread', 'hypervisor (for a guest)'];
const CPU_COLORS = ['#f2f2f2', '#8a8a8a', '#ff9f1c'];
D.machines.forEach((m, g) => {
	CPU_STATES.push('guest code: ' + m.name);
	CPU_COLORS.push(GUEST_PALETTE[g % GUEST_PALETTE.length]);
});

function el(tag, attrs, parent, text) {
	const e = document.createElement(tag);
	for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
	if (text !== undefined) e.textContent = text;
	if (parent) parent.appendChild(e);
	return e;
}
function fmtDur(ns) {
	if (ns >= 1e9) return (ns / 1e9).toFixed(3) + ' s';
	if (ns >= 1e6) return (ns / 1e6).toFixed(3) + ' ms';
	if (ns >= 1e3) return (ns / 1e3).toFixed(3) + ' µs';
	return Math.round(ns) + ' ns';
}
function pct(a, b) { return b ? (100 * a / b).toFixed(1) + '%' : '-'; }
function absNs(rel) { return (BigInt(D.t0) + BigInt(Math.round(rel))).toString(); }
function secs(rel) { return '+' + (rel / 1e9).toFixed(9) + ' s'; }

/* Who a host thread is: another guest's vCPU, or its comm. */
const vcpuByTid = new Map();
D.vcpus.forEach(v => vcpuByTid.set(v.tid, v));
const comms = new Map();
D.cpus.forEach(c => c.shares.forEach(s => comms.set(s[0], s[1])));
D.vcpus.forEach(v => v.holders.forEach(h => comms.set(h[0], h[1])));
function holderName(tid) {
	if (tid === 0) return 'idle (tid 0)';
	const v = vcpuByTid.get(tid);
	if (v) return v.name + ' vCPU ' + v.vcpu + ' (tid ' + tid + ')';
	return (comms.get(tid) || '?') + ' (tid ' + tid + ')';
}
function guestLabel(v) { return v.name + ' (QEMU ' + v.qemu + ')'; }

const root = document.getElementById('report');
/* vCPUs shown by guest name, then number (the data keeps the model's order: rows refer to it) */
const VCPUS = D.vcpus.slice().sort((a, b) => a.name.localeCompare(b.name) || a.qemu - b.qemu || a.vcpu - b.vcpu);

/* --- summary: per guest, where the vCPU time went --------------------------- */
function legend(parent, names, colors) {
	const lg = el('div', {class: 'legend'}, parent);
	names.forEach((n, i) => el('span', {style: '--c:' + colors[i]}, lg, n));
}
function summary() {
	el('h2', {}, root, 'Where the guests\' vCPU time went');
	if (!D.vcpus.length)
		el('p', {class: 'hint'}, root, D.host < 0 ? 'No host trace among the inputs: the vCPU states need the ' +
			'host\'s view (its kvm and sched events). The guest threads below come from the guests\' own traces.' :
			'No vCPU of a QEMU process was found on this host.');
	legend(root, VCPU_STATES, VCPU_STATES.map(s => STATE_COLORS[s]));
	const groups = new Map();
	VCPUS.forEach(v => { if (!groups.has(v.qemu)) groups.set(v.qemu, []); groups.get(v.qemu).push(v); });
	const box = el('div', {id: 'summary'}, root);
	for (const [qemu, vs] of groups) {
		const g = el('div', {class: 'guest', 'data-qemu': qemu}, box);
		const tot = VCPU_STATES.map((_, s) => vs.reduce((a, v) => a + v.totals[s], 0));
		const all = tot.reduce((a, b) => a + b, 0);
		el('h3', {}, g, guestLabel(vs[0]) + ': ' + vs.length + ' vCPU' + (vs.length > 1 ? 's' : '') +
			', guest ' + pct(tot[2], all) + ', hypervisor ' + pct(tot[3], all) + ', preempted ' +
			pct(tot[4], all) + ', idle ' + pct(tot[1], all));
		const bar = el('div', {class: 'bar', title: 'all vCPUs of ' + vs[0].name}, g);
		tot.forEach((t, s) => { if (t) el('div', {style: 'width:' + (100 * t / all) + '%;background:' +
			STATE_COLORS[VCPU_STATES[s]], title: VCPU_STATES[s] + ' ' + fmtDur(t) + ' (' + pct(t, all) + ')'}, bar); });
	}
	el('h3', {}, root, 'Per vCPU (ns, as vmtrace analyze --json totals_ns)');
	const t = el('table', {id: 'totals'}, root);
	const h = el('tr', {}, t);
	['guest', 'vCPU', 'tid'].concat(VCPU_STATES).concat(['observed']).forEach(x => el('th', {}, h, x));
	VCPUS.forEach(v => {
		const r = el('tr', {'data-qemu': v.qemu, 'data-vcpu': v.vcpu}, t);
		el('td', {}, r, guestLabel(v));
		el('td', {class: 'num'}, r, String(v.vcpu));
		el('td', {class: 'num'}, r, String(v.tid));
		const all = v.end - v.start;
		v.totals.forEach((ns, s) => el('td', {class: 'num', 'data-state': VCPU_STATES[s], 'data-ns': ns,
			title: pct(ns, all) + ' of ' + fmtDur(all)}, r, String(ns)));
		el('td', {class: 'num'}, r, fmtDur(all));
	});
}

/* --- findings: what the figures mean, each linking to its time range ------- */
/* A link's window: the finding's range, at least a thousandth of the trace, within it. */
function findingView(f) {
	let a = f.start, b = f.end;
	const min = Math.max(D.span / 1000, 1000);
	if (b - a < min) { const c = (a + b) / 2; a = c - min / 2; b = c + min / 2; }
	a = Math.max(0, a); b = Math.min(D.span, b);
	return '#view=' + (a / 1e9).toFixed(9) + ',' + (b / 1e9).toFixed(9);
}
function findings() {
	el('h2', {}, root, 'Findings');
	const box = el('div', {id: 'findings'}, root);
	if (!D.findings.length) {
		el('p', {class: 'hint'}, box, 'No findings: no rule\'s threshold was crossed (vmtrace analyze ' +
			'--finding-threshold list shows them).');
		return;
	}
	D.findings.forEach(f => {
		const d = el('div', {class: 'finding ' + f.severity, 'data-id': f.id, 'data-severity': f.severity}, box);
		const h = el('p', {class: 'head'}, d);
		el('strong', {}, h, '[' + f.severity + '] ' + f.id + ': ');
		el('span', {}, h, f.summary);
		const when = el('p', {}, d, 'When: ');
		el('a', {class: 'when', href: findingView(f)}, when, secs(f.start) + ' to ' + secs(f.end) +
			' (show on the timeline)');
		el('p', {}, d, 'What it means: ' + f.meaning);
		el('p', {}, d, 'What to try: ' + f.advice);
		el('p', {class: 'hint'}, d, 'Evidence: ' + f.evidence.map(e => e[0] + ' ' + e[1]).join(', ') +
			'; thresholds: ' + f.thresholds.map(t => t[0] + '=' + t[1]).join(', '));
	});
}

/* --- the timeline ------------------------------------------------------------- */
const ROW_H = 16, AXIS_H = 22;
const lines = []; /* {head} or {kind, row, label, states, colors, detail(iv)} */
function timelineRows() {
	const cpuRows = new Map(D.rows.cpu.map(r => [r.i, r]));
	const vRows = new Map(D.rows.vcpu.map(r => [r.i, r]));
	const tRows = new Map(D.rows.thread.map(r => [r.i, r]));
	lines.push({head: D.host >= 0 ? 'pCPUs of ' + D.machines[D.host].name : 'pCPUs: no host trace among the inputs'});
	D.cpus.forEach(c => lines.push({kind: 'cpu', idx: c.i, row: cpuRows.get(c.i), label: 'pCPU ' + c.i,
		states: CPU_STATES, colors: CPU_COLORS, detail: (st, d) => holderName(d)}));
	lines.push({head: 'vCPUs'});
	VCPUS.forEach(v => lines.push({kind: 'vcpu', idx: v.i, row: vRows.get(v.i), label: v.name + ' vCPU ' + v.vcpu,
		states: VCPU_STATES, colors: VCPU_STATES.map(s => STATE_COLORS[s]),
		detail: (st, d) => st === 3 ? 'exit reason ' + reasonName(d) : st === 4 ? 'waiting for the pCPU held by ' +
			holderName(d) : ''}));
	const threads = D.threads.slice().sort((a, b) => a.guest - b.guest || a.tid - b.tid);
	let g = -2;
	threads.forEach(t => {
		if (t.guest !== g) { g = t.guest; lines.push({head: 'threads of ' + D.machines[g].name}); }
		lines.push({kind: 'thread', idx: t.i, row: tRows.get(t.i), label: t.comm + ' (' + t.tid + ')',
			states: THREAD_STATES, colors: THREAD_STATES.map(s => STATE_COLORS[s]),
			detail: (st, d) => d >= 0 && D.vcpus[d] ? 'on ' + D.vcpus[d].name + ' vCPU ' + D.vcpus[d].vcpu : ''});
	});
}

function rgba(hex) {
	const n = parseInt(hex.slice(1), 16);
	return (255 << 24 | (n & 255) << 16 | (n >> 8 & 255) << 8 | n >> 16) >>> 0;
}

/* First exact interval of a row (stride 4) ending after t. */
function firstExact(x, t) {
	let lo = 0, hi = x.length / 4;
	while (lo < hi) { const m = (lo + hi) >> 1; if (x[4 * m] + x[4 * m + 1] > t) hi = m; else lo = m + 1; }
	return lo;
}
function firstBin(a, k, t) {
	const st = 2 + k;
	let lo = 0, hi = a.length / st;
	while (lo < hi) { const m = (lo + hi) >> 1; if (a[st * m] + a[st * m + 1] > t) hi = m; else lo = m + 1; }
	return lo;
}

const view = {t0: 0, t1: D.span};
/* #view=START,END (seconds from the start) opens on that window, and follows zoom and pan: a link shows what you saw */
function viewFromHash() {
	const m = /view=([0-9.e+-]+),([0-9.e+-]+)/.exec(location.hash);
	if (!m) return false;
	const a = Math.max(0, parseFloat(m[1]) * 1e9), b = Math.min(D.span, parseFloat(m[2]) * 1e9);
	if (!(b - a >= 100)) return false;
	view.t0 = a; view.t1 = b;
	return true;
}
viewFromHash();
/* a finding's link changes the hash: show its range and bring the timeline into sight */
window.addEventListener('hashchange', () => {
	if (!viewFromHash() || !canvas) return;
	draw();
	document.getElementById('timeline').scrollIntoView();
});
function keepView() {
	const h = '#view=' + (view.t0 / 1e9).toFixed(9) + ',' + (view.t1 / 1e9).toFixed(9);
	try { history.replaceState(null, '', h); } catch (e) { /* file: URLs may refuse */ }
}
let canvas, ctx, labels, W = 0, H = 0, dpr = 1, acc = null;

/* Adds [s, e) of state st, weighted, to the pixel columns. */
function spread(s, e, st, k, weight, v0, npp, cols) {
	if (e <= v0 || s >= v0 + npp * cols) return;
	let x0 = (s - v0) / npp, x1 = (e - v0) / npp;
	if (x0 < 0) x0 = 0;
	if (x1 > cols) x1 = cols;
	let c = Math.floor(x0);
	while (c < x1 && c < cols) {
		const end = Math.min(c + 1, x1);
		acc[c * k + st] += (end - Math.max(x0, c)) * weight;
		c++;
	}
}

function draw() {
	const cols = W, v0 = view.t0, npp = (view.t1 - view.t0) / cols;
	const started = performance.now();
	let exactDrawn = 0, binsDrawn = 0;
	const img = ctx.createImageData(W, H);
	const px = new Uint32Array(img.data.buffer);
	px.fill(rgba('#ffffff'));
	const rowH = Math.round(ROW_H * dpr), axisH = Math.round(AXIS_H * dpr);
	lines.forEach((ln, li) => {
		const y0 = axisH + li * rowH;
		if (ln.head) { for (let y = y0; y < y0 + rowH; y++) px.fill(rgba('#eeeeee'), y * W, y * W + W); return; }
		if (!ln.row) return;
		const k = ln.row.k, x = ln.row.x, a = ln.row.a;
		if (!acc || acc.length < cols * k) acc = new Float64Array(cols * k);
		acc.fill(0, 0, cols * k);
		for (let i = firstExact(x, v0); i < x.length / 4 && x[4 * i] < view.t1; i++, exactDrawn++)
			spread(x[4 * i], x[4 * i] + x[4 * i + 1], x[4 * i + 2], k, 1, v0, npp, cols);
		const st = 2 + k;
		for (let i = firstBin(a, k, v0); i < a.length / st && a[st * i] < view.t1; i++, binsDrawn++) {
			const w = a[st * i + 1];
			for (let s = 0; s < k; s++)
				if (a[st * i + 2 + s]) spread(a[st * i], a[st * i] + w, s, k, a[st * i + 2 + s] / w, v0, npp, cols);
		}
		const colors = ln.colors.map(rgba), h = rowH - 1;
		const n = new Int32Array(k);
		for (let c = 0; c < cols; c++) {
			let total = 0;
			for (let s = 0; s < k; s++) total += acc[c * k + s];
			if (total <= 0) continue;
			/* stacked by state; every state present gets at least a pixel */
			let used = 0, big = 0;
			for (let s = 0; s < k; s++) {
				const f = acc[c * k + s] / total;
				n[s] = f > 0 ? Math.max(1, Math.round(f * h)) : 0;
				used += n[s];
				if (n[s] > n[big]) big = s;
			}
			n[big] -= used - h;
			let y = y0;
			for (let s = 0; s < k; s++)
				for (let j = 0; j < n[s] && y < y0 + h; j++, y++) px[y * W + c] = colors[s];
		}
	});
	ctx.putImageData(img, 0, 0);
	drawAxis(axisH);
	/* what was drawn, for tests and the curious */
	const b = document.body;
	b.setAttribute('data-rendered', String(Number(b.getAttribute('data-rendered') || 0) + 1));
	b.setAttribute('data-view', Math.round(view.t0) + ',' + Math.round(view.t1));
	b.setAttribute('data-exact-drawn', String(exactDrawn));
	b.setAttribute('data-bins-drawn', String(binsDrawn));
	b.setAttribute('data-draw-ms', (performance.now() - started).toFixed(1));
}

function drawAxis(axisH) {
	const span = view.t1 - view.t0;
	let step = Math.pow(10, Math.floor(Math.log10(span / 6)));
	if (span / step > 12) step *= 5; else if (span / step > 6) step *= 2;
	ctx.fillStyle = '#333';
	ctx.font = (11 * dpr) + 'px sans-serif';
	ctx.textBaseline = 'middle';
	/* seconds from the start, with the digits the step needs */
	const digits = Math.min(9, Math.max(0, Math.ceil(-Math.log10(step / 1e9))));
	for (let t = Math.ceil(view.t0 / step) * step; t <= view.t1; t += step) {
		const x = Math.round((t - view.t0) / span * W);
		ctx.fillRect(x, axisH - 5 * dpr, 1, 5 * dpr);
		ctx.fillText((t / 1e9).toFixed(digits) + ' s', x + 3 * dpr, axisH / 2);
	}
}

function layout() {
	dpr = window.devicePixelRatio || 1;
	const box = document.getElementById('canvas-box');
	const cssW = Math.max(200, box.clientWidth), cssH = AXIS_H + lines.length * ROW_H;
	canvas.style.width = cssW + 'px';
	canvas.style.height = cssH + 'px';
	W = canvas.width = Math.round(cssW * dpr);
	H = canvas.height = Math.round(AXIS_H * dpr) + lines.length * Math.round(ROW_H * dpr);
	draw();
}

/* What lies under the mouse: the exact interval, else the sub-bin's shares. */
function describe(ln, t, halfPx) {
	const r = ln.row;
	if (!r) return null;
	const x = r.x;
	const i = firstExact(x, t - halfPx);
	if (i < x.length / 4 && x[4 * i] <= t + halfPx) {
		const s = x[4 * i], d = x[4 * i + 1], st = x[4 * i + 2], det = x[4 * i + 3];
		const what = ln.detail(st, det);
		return ln.label + ': ' + ln.states[st] + (what ? ', ' + what : '') + '\n' + secs(s) + ' … ' + secs(s + d) +
			' (' + fmtDur(d) + ')\nepoch ns ' + absNs(s) + ' … ' + absNs(s + d);
	}
	const k = r.k, a = r.a, st = 2 + k, j = firstBin(a, k, t);
	if (j < a.length / st && a[st * j] <= t) {
		const s = a[st * j], w = a[st * j + 1];
		let all = 0;
		for (let q = 0; q < k; q++) all += a[st * j + 2 + q];
		let out = ln.label + ': ' + fmtDur(w) + ' aggregated (too many intervals to keep each; zoom near the ' +
			'start of a bin for exact ones)\n' + secs(s) + ' … ' + secs(s + w);
		for (let q = 0; q < k; q++) if (a[st * j + 2 + q]) out += '\n  ' + ln.states[q] + ' ' + pct(a[st * j + 2 + q], all);
		return out;
	}
	return null;
}

function timeline() {
	el('h2', {}, root, 'Timeline (host time)');
	el('p', {class: 'hint'}, root, 'Wheel: zoom at the mouse; drag: pan; double-click: whole trace. ' +
		'Each pixel column stacks the states of its time by their share.');
	const shown = CPU_STATES.map((_, i) => i).filter(i => i < 3 || D.machines[i - 3].role === 'guest');
	legend(root, shown.map(i => CPU_STATES[i]), shown.map(i => CPU_COLORS[i]));
	legend(root, THREAD_STATES, THREAD_STATES.map(s => STATE_COLORS[s]));
	const tl = el('div', {id: 'timeline'}, root);
	labels = el('div', {id: 'labels'}, tl);
	el('div', {style: 'height:' + AXIS_H + 'px'}, labels);
	timelineRows();
	lines.forEach(ln => {
		const d = el('div', ln.head ? {class: 'head'} : {class: 'row-label', 'data-kind': ln.kind, 'data-index': ln.idx},
			labels, ln.head || ln.label);
		d.style.height = d.style.lineHeight = ROW_H + 'px';
	});
	const box = el('div', {id: 'canvas-box'}, tl);
	canvas = el('canvas', {}, box);
	ctx = canvas.getContext('2d');
	const tip = el('div', {id: 'tip'}, document.body);
	let drag = null;
	const tAt = ex => view.t0 + (ex - canvas.getBoundingClientRect().left) / canvas.clientWidth * (view.t1 - view.t0);
	canvas.addEventListener('wheel', e => {
		e.preventDefault();
		const t = tAt(e.clientX), f = e.deltaY > 0 ? 1.25 : 0.8;
		let a = t - (t - view.t0) * f, b = t + (view.t1 - t) * f;
		if (b - a < 100) return;
		if (a < 0) { b -= a; a = 0; }
		if (b > D.span) { a -= b - D.span; b = D.span; }
		view.t0 = Math.max(0, a); view.t1 = b;
		draw();
		keepView();
	}, {passive: false});
	canvas.addEventListener('mousedown', e => { drag = {x: e.clientX, t0: view.t0, t1: view.t1}; canvas.style.cursor = 'grabbing'; });
	window.addEventListener('mouseup', () => { drag = null; canvas.style.cursor = 'grab'; });
	canvas.addEventListener('dblclick', () => { view.t0 = 0; view.t1 = D.span; draw(); keepView(); });
	canvas.addEventListener('mouseleave', () => { tip.style.display = 'none'; });
	canvas.addEventListener('mousemove', e => {
		if (drag) {
			const dt = (e.clientX - drag.x) / canvas.clientWidth * (drag.t1 - drag.t0);
			let a = drag.t0 - dt, b = drag.t1 - dt;
			if (a < 0) { b -= a; a = 0; }
			if (b > D.span) { a -= b - D.span; b = D.span; }
			view.t0 = a; view.t1 = b;
			draw();
			keepView();
			return;
		}
		const rect = canvas.getBoundingClientRect();
		const li = Math.floor((e.clientY - rect.top - AXIS_H) / ROW_H);
		const ln = lines[li];
		const text = ln && !ln.head ? describe(ln, tAt(e.clientX), (view.t1 - view.t0) / canvas.clientWidth / 2) : null;
		if (!text) { tip.style.display = 'none'; return; }
		tip.textContent = text;
		tip.style.display = 'block';
		tip.style.left = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 4) + 'px';
		tip.style.top = (e.clientY + 14) + 'px';
	});
	window.addEventListener('resize', layout);
	layout();
}

/* --- tables ---------------------------------------------------------------------- */
function table(parent, id, head, rows) {
	const t = el('table', id ? {id: id} : {}, parent);
	const h = el('tr', {}, t);
	head.forEach(x => el('th', {}, h, x));
	rows.forEach(r => { const tr = el('tr', {}, t); r.forEach((c, i) => el('td', i ? {class: 'num'} : {}, tr, String(c))); });
	return t;
}
/* An exit reason as Linux names it (VMX or SVM), else its number. */
function reasonName(code) {
	return (D.reason_names && D.reason_names[code]) || String(code);
}
function exitsTables() {
	el('h2', {}, root, 'Exits (like perf kvm stat: each from kvm_exit to the next kvm_entry)');
	const box = el('div', {id: 'exits'}, root);
	const done = new Set();
	VCPUS.forEach(v => {
		if (done.has(v.qemu)) return;
		done.add(v.qemu);
		const exits = D.vcpus.find(x => x.qemu === v.qemu && x.exits).exits;
		el('h3', {}, box, guestLabel(v));
		const rows = exits.slice().sort((a, b) => b[2] - a[2]).map(e =>
			[reasonName(e[0]), e[1], fmtDur(e[2]), fmtDur(e[3]), fmtDur(e[4]), fmtDur(e[5])]);
		table(box, null, ['exit reason', 'count', 'total', 'p50', 'p99', 'max'], rows).setAttribute('data-qemu', v.qemu);
	});
}
function preemptionTables() {
	el('h2', {}, root, 'Preemption (who held the pCPU a runnable vCPU waited for)');
	const box = el('div', {id: 'preemption'}, root);
	VCPUS.forEach(v => {
		el('h3', {}, box, v.name + ' vCPU ' + v.vcpu + ' (tid ' + v.tid + '): preempted ' + fmtDur(v.totals[4]) + ', ' +
			pct(v.totals[4], v.end - v.start) + ' of its time');
		const rows = v.holders.slice().sort((a, b) => b[2] - a[2]).map(h =>
			[holderName(h[0]), h[2], fmtDur(h[2]), pct(h[2], v.totals[4])]);
		table(box, null, ['holder', 'ns', 'time', 'share'], rows).setAttribute('data-vcpu-tid', v.tid);
	});
}

findings();
summary();
timeline();
exitsTables();
preemptionTables();
})();
