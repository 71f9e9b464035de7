/**
 * The dashboard page: one EventSource to /events (a snapshot on every (re)connect, then a
 * `record` per decision round and `objects` when status changed), a table of objects, and a
 * card per scaled object with its chart, replicas or jobs, and the replicas' recent logs.
 * Everything is rendered with textContent: names and log lines never become markup.
 */
/* global TideChart */
(function () {
  const MAX_POINTS = 600;
  const MAX_LOGS = 4;
  /** key → { object, records[], card, chart, logsEl, ... } */
  const state = new Map();
  let logsAvailable = false;
  const conn = document.getElementById('connection');
  const tbody = document.querySelector('#objects tbody');
  const cards = document.getElementById('cards');

  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('data-')) e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const c of children) if (c !== undefined && c !== null) e.append(c);
    return e;
  }

  const scaled = (o) => o.kind === 'ScaledObject' || o.kind === 'ScaledJob';

  function badges(o) {
    const c = o.conditions;
    const out = [];
    const ready =
      c.ready === true
        ? ['Ready', 'ok']
        : c.ready === false
          ? ['Not ready', 'bad']
          : ['Ready?', ''];
    if (scaled(o)) out.push(el('span', { class: `badge ${ready[1]}`, text: ready[0] }));
    if (c.active) out.push(el('span', { class: 'badge on', text: 'Active' }));
    else if (scaled(o)) out.push(el('span', { class: 'badge', text: 'Idle' }));
    if (c.paused) out.push(el('span', { class: 'badge warn', text: 'Paused' }));
    if (c.fallback) out.push(el('span', { class: 'badge warn', text: 'Fallback' }));
    if (o.error) out.push(el('span', { class: 'badge bad', text: 'Error' }));
    return out;
  }

  function counts(o) {
    if (o.kind === 'ScaledJob') return `${o.jobsRunning ?? 0} jobs running`;
    const d = o.desiredReplicas ?? '–';
    return `${o.runningReplicas ?? 0} running / ${d} desired`;
  }

  function metricText(o) {
    return o.triggers
      .map((t) => {
        const name = t.name || t.metricName || t.type;
        if (t.error)
          return `${name}: failing${t.failedRounds ? ` (${t.failedRounds} rounds)` : ''}: ${t.error}`;
        const polling = t.push === 'polling only' ? ' (polling only)' : '';
        return `${name}: ${t.value ?? '–'} / target ${t.target ?? '–'}${polling}`;
      })
      .join(' · ');
  }

  function renderTable() {
    tbody.replaceChildren();
    for (const s of state.values()) {
      const o = s.object;
      const tr = el(
        'tr',
        { 'data-key': o.key },
        el('td', { text: o.kind }),
        el('td', { text: `${o.namespace}/${o.name}` }),
        el('td', { class: 'counts', text: counts(o) }),
        el('td', {}, ...badges(o)),
        el('td', { text: metricText(o) }),
        el('td', { text: o.error || o.lastReason || '' }),
      );
      tr.addEventListener('click', () => s.card?.scrollIntoView({ behavior: 'smooth' }));
      tbody.append(tr);
    }
  }

  function ensureCard(s) {
    const o = s.object;
    if (!scaled(o)) return;
    if (!s.card) {
      s.title = el('h2', { text: `${o.kind} ${o.namespace}/${o.name}` });
      s.meta = el('div', { class: 'meta' });
      s.badges = el('div', { class: 'badges' });
      s.error = el('div', { class: 'error' });
      s.chartEl = el('div', { class: 'chart' });
      s.side = el('div', { class: o.kind === 'ScaledJob' ? 'jobs' : 'replicas' });
      s.logsEl = el('div', { class: 'logs' });
      s.card = el(
        'article',
        { class: 'card', 'data-key': o.key },
        s.title,
        s.meta,
        s.badges,
        s.error,
        s.chartEl,
        el('div', { class: 'panels' }, s.side, s.logsEl),
      );
      cards.append(s.card);
      s.chart = TideChart.create(s.chartEl, {
        kind: o.kind,
        triggerNames: o.triggers.map((t) => t.name || t.metricName || `${t.type} #${t.index}`),
        maxPoints: MAX_POINTS,
      });
      s.chart.setPoints(s.records.map((r) => TideChart.recordToPoint(o.kind, r)));
    }
    s.meta.textContent = `${o.target ? `target ${o.target} · ` : ''}${counts(o)}${o.lastRoundAt ? ` · last round ${new Date(o.lastRoundAt).toLocaleTimeString()}` : ''}`;
    s.badges.replaceChildren(...badges(o));
    s.error.textContent = o.error || '';
    renderSide(s);
  }

  function fmtDuration(ms) {
    if (!(ms >= 0)) return '';
    const sec = Math.round(ms / 1000);
    return sec < 90 ? `${sec}s` : `${Math.floor(sec / 60)}m${pad(sec % 60)}s`;
  }
  const pad = (n) => String(n).padStart(2, '0');
  const clock = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');

  function renderSide(s) {
    const o = s.object;
    const head = el('h3', { text: o.kind === 'ScaledJob' ? 'Jobs (newest first)' : 'Replicas' });
    let table;
    if (o.kind === 'ScaledJob') {
      const rows = [...(o.jobs || [])].reverse().map((j) => {
        const end = j.completionTime ? Date.parse(j.completionTime) : Date.now();
        return el(
          'tr',
          {},
          el('td', { text: j.name }),
          el('td', { text: j.state + (j.exitCode !== undefined ? ` (exit ${j.exitCode})` : '') }),
          el('td', { text: clock(j.startTime) }),
          el('td', { text: j.startTime ? fmtDuration(end - Date.parse(j.startTime)) : '' }),
        );
      });
      table = el(
        'table',
        {},
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ...['job', 'state', 'started', 'duration'].map((t) => el('th', { text: t })),
          ),
        ),
        el('tbody', {}, ...rows),
      );
      if (!rows.length) table = el('div', { class: 'muted', text: 'no jobs yet' });
    } else {
      const rows = (o.replicas || []).map((r) =>
        el(
          'tr',
          {},
          el('td', { text: r.name }),
          el('td', { text: r.state }),
          el('td', { text: String(r.restarts) }),
          el('td', { text: clock(r.startedAt) }),
        ),
      );
      table = rows.length
        ? el(
            'table',
            {},
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                ...['replica', 'state', 'restarts', 'started'].map((t) => el('th', { text: t })),
              ),
            ),
            el('tbody', {}, ...rows),
          )
        : el('div', { class: 'muted', text: 'no replicas running (scaled to zero)' });
    }
    s.side.replaceChildren(head, table);
  }

  async function refreshLogs(s) {
    if (!logsAvailable || !s.card || !s.object.hasLogs) return;
    try {
      const res = await fetch(`api/logs?object=${encodeURIComponent(s.object.key)}`, {
        credentials: 'same-origin',
      });
      if (!res.ok) return;
      const body = await res.json();
      const parts = [el('h3', { text: 'Recent output' })];
      if (!body.logs.length) parts.push(el('div', { class: 'muted', text: 'no output yet' }));
      // The newest few: a pool of ten replicas would push the chart off the screen.
      for (const l of body.logs.slice(0, MAX_LOGS)) {
        parts.push(
          el('div', {
            class: 'replica',
            text: `${l.replica}${l.truncated ? ' (last lines)' : ''}`,
          }),
        );
        parts.push(el('pre', { 'data-replica': l.replica, text: l.lines.join('\n') }));
      }
      s.logsEl.replaceChildren(...parts);
    } catch {
      // The next tick retries; a lost connection shows in the header.
    }
  }

  function applyObjects(objects) {
    const seen = new Set();
    for (const o of objects) {
      seen.add(o.key);
      let s = state.get(o.key);
      if (!s) {
        s = { object: o, records: [] };
        state.set(o.key, s);
      }
      s.object = o;
      ensureCard(s);
    }
    for (const [k, s] of state) {
      if (seen.has(k)) continue;
      s.chart?.destroy();
      s.card?.remove();
      state.delete(k);
    }
    renderTable();
  }

  function onSnapshot(snap) {
    logsAvailable = snap.logs;
    for (const s of state.values()) {
      s.chart?.destroy();
      s.card?.remove();
    }
    state.clear();
    for (const o of snap.objects)
      state.set(o.key, { object: o, records: snap.records[o.key] || [] });
    applyObjects(snap.objects);
    for (const s of state.values()) void refreshLogs(s);
  }

  function onRecord({ key, record }) {
    const s = state.get(key);
    if (!s) return;
    s.records.push(record);
    if (s.records.length > MAX_POINTS) s.records.shift();
    s.chart?.addPoint(TideChart.recordToPoint(s.object.kind, record));
  }

  function connect() {
    const es = new EventSource('events', { withCredentials: true });
    es.addEventListener('open', () => {
      conn.dataset.state = 'live';
      conn.textContent = 'live';
    });
    es.addEventListener('error', () => {
      // EventSource reconnects by itself; the server sends a fresh snapshot then.
      conn.dataset.state = 'lost';
      conn.textContent = 'reconnecting…';
    });
    es.addEventListener('snapshot', (e) => onSnapshot(JSON.parse(e.data)));
    es.addEventListener('record', (e) => onRecord(JSON.parse(e.data)));
    es.addEventListener('objects', (e) => applyObjects(JSON.parse(e.data)));
  }

  connect();
  setInterval(() => {
    for (const s of state.values()) void refreshLogs(s);
  }, 2000);
})();
