// The Rmq dashboard: plain JavaScript, no build step. Routes: #/ (overview), #/queue/<name>, #/cluster.
// Reads /api/*; live numbers and charts come from the server-sent events of /api/events (one sample a second).
'use strict';

const view = document.getElementById('view');
const live = document.getElementById('live');
const esc = s => String(s ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const fmt = n => (n ?? 0).toLocaleString('en-US');
const q = encodeURIComponent;

// ---- API ----------------------------------------------------------------------------------------------

async function getJson(url) {
  const r = await fetch(url, { cache: 'no-store' });
  const body = await r.json().catch(() => ({ error: r.statusText }));
  if (!r.ok) throw new Error(body.error || body.detail || r.statusText);
  return body;
}

// Actions: POST; on 403 the page asks for the API key once and sends it again in X-Rmq-Api-Key.
async function act(action, queue, { max, body, query } = {}) {
  let url = `api/queue/${action}?name=${q(queue)}` + (max ? `&max=${q(max)}` : '')
    + Object.entries(query ?? {}).map(([k, v]) => `&${k}=${q(v)}`).join('');
  for (let attempt = 0; attempt < 2; attempt++) {
    const headers = { 'Content-Type': 'application/json' };
    const key = sessionStorage.getItem('rmq-api-key');
    if (key) headers['X-Rmq-Api-Key'] = key;
    const r = await fetch(url, { method: 'POST', headers, body: body ? JSON.stringify(body) : undefined });
    const result = await r.json().catch(() => ({ error: r.statusText }));
    if (r.status === 403 && attempt === 0) {
      const entered = prompt(`${result.error}\n\nAPI key (Dashboard:ApiKey):`);
      if (!entered) throw new Error(result.error);
      sessionStorage.setItem('rmq-api-key', entered);
      continue;
    }
    if (!r.ok) {
      if (r.status === 403) sessionStorage.removeItem('rmq-api-key');
      throw new Error(result.error || r.statusText);
    }
    return result;
  }
}

function toast(text, error) {
  const t = document.createElement('div');
  t.className = 'toast' + (error ? ' error' : '');
  t.id = 'toast';
  t.textContent = text;
  document.getElementById('toast')?.remove();
  document.body.appendChild(t);
  setTimeout(() => t.remove(), 6000);
}

async function confirmAndAct(question, action, queue, options) {
  if (!confirm(question)) return;
  try {
    const r = await act(action, queue, options);
    toast(`${queue}: ${r.message}`);
  } catch (e) {
    toast(`${queue}: ${action} failed: ${e.message}`, true);
  }
  route();
}

// ---- Live samples and charts ---------------------------------------------------------------------------

const history = []; // samples, oldest first: { time, queues: [...] }
const listeners = new Set();
let source;

function startEvents() {
  source = new EventSource('api/events');
  source.onopen = () => { live.textContent = 'live'; live.className = 'live on'; };
  source.onerror = () => { live.textContent = 'reconnecting'; live.className = 'live off'; };
  source.addEventListener('sample', e => {
    const sample = JSON.parse(e.data);
    history.push(sample);
    while (history.length > 600) history.shift();
    for (const l of listeners) l(sample);
  });
}

async function loadHistory() {
  try {
    const h = await getJson('api/history');
    history.splice(0, history.length, ...h.samples);
  } catch { /* charts fill from the live samples */ }
}

function series(pick, queue) {
  const xs = [], cols = pick.map(() => []);
  for (const s of history) {
    xs.push(s.time / 1000);
    const rows = queue ? s.queues.filter(r => r.name === queue) : s.queues;
    pick.forEach((p, i) => cols[i].push(rows.reduce((a, r) => a + (r[p.field] ?? 0), 0)));
  }
  return [xs, ...cols];
}

const rateSeries = [
  { field: 'published', label: 'published/s', stroke: '#2563eb' },
  { field: 'acked', label: 'acked/s', stroke: '#15803d' },
  { field: 'rejectedPerSecond', label: 'rejected/s', stroke: '#b91c1c' },
  { field: 'pushed', label: 'pushed/s', stroke: '#9333ea' },
];
const backlogSeries = [
  { field: 'ready', label: 'ready', stroke: '#2563eb' },
  { field: 'unacked', label: 'unacked', stroke: '#d97706' },
  { field: 'rejected', label: 'rejected', stroke: '#b91c1c' },
  { field: 'scheduled', label: 'scheduled', stroke: '#6b7280' },
];

function chart(el, pick, queue) {
  const opts = {
    width: Math.max(300, el.clientWidth - 8), height: 200,
    series: [{}, ...pick.map(p => ({ label: p.label, stroke: p.stroke, width: 1.5, points: { show: false } }))],
    axes: [{}, { size: 60 }],
    scales: { x: { time: true } },
    legend: { live: true },
  };
  const u = new uPlot(opts, series(pick, queue), el);
  const update = () => u.setData(series(pick, queue));
  listeners.add(update);
  return () => { listeners.delete(update); u.destroy(); };
}

// ---- Views -----------------------------------------------------------------------------------------

let teardown = [];
function clear() { teardown.forEach(t => t()); teardown = []; }

function chartsHtml(prefix, note) {
  return `<div class="charts">
    <div class="card"><div class="chart-title">Throughput per second <span class="note">(every producer and silo, from Redis)</span></div><div id="${prefix}-rates"></div></div>
    <div class="card"><div class="chart-title">Backlog <span class="note">(Redis)</span></div><div id="${prefix}-backlog"></div></div>
  </div>${note ? `<p class="note">${note}</p>` : ''}`;
}

function mountCharts(prefix, queue) {
  teardown.push(chart(document.getElementById(`${prefix}-rates`), rateSeries, queue));
  teardown.push(chart(document.getElementById(`${prefix}-backlog`), backlogSeries, queue));
}

const badge = s => `<span class="badge ${esc(s)}">${esc(s)}</span>`;

function queueRow(s, rate) {
  return `<tr data-queue="${esc(s.name)}">
    <td><a href="#/queue/${q(s.name)}">${esc(s.name)}</a></td>
    <td class="state">${badge(s.state)}${s.stalledReason ? ` <span class="note">${esc(s.stalledReason)}</span>` : ''}</td>
    <td class="n ready">${fmt(s.ready)}</td><td class="n unacked">${fmt(s.unacked)}</td><td class="n rejected">${fmt(s.rejected)}</td>
    <td class="n scheduled">${fmt(s.scheduled)}</td><td class="n consumers">${fmt(s.consumers)}</td><td class="n connections">${fmt(s.connections)}</td>
    <td class="n recurring">${fmt(s.recurring)}</td><td class="n retried">${fmt(s.retried)}</td><td class="n dead-lettered">${fmt(s.deadLettered)}</td>
    <td class="n published-rate">${fmt(rate?.published)}</td><td class="n acked-rate">${fmt(rate?.acked)}</td></tr>`;
}

async function overview() {
  view.innerHTML = `<h1>Queues</h1>${chartsHtml('all')}
    <div class="card"><table id="queues"><thead><tr><th>queue</th><th>state</th><th class="n">ready</th><th class="n">unacked</th>
    <th class="n">rejected</th><th class="n">scheduled</th><th class="n">consumers</th><th class="n">connections</th>
    <th class="n">recurring</th><th class="n">retried</th><th class="n">dead-lettered</th><th class="n">published/s</th><th class="n">acked/s</th></tr></thead><tbody></tbody></table></div>`;
  mountCharts('all');
  const body = view.querySelector('#queues tbody');
  const render = (queues, rates) => {
    body.innerHTML = queues.length === 0
      ? '<tr><td colspan="13" class="note">No queues in rmq::queues yet.</td></tr>'
      : queues.map(s => queueRow(s, rates?.get(s.name))).join('');
  };
  const data = await getJson('api/overview');
  render(data.queues);
  const onSample = sample => {
    if (!sample.overview) return;
    render(sample.overview, new Map(sample.queues.map(r => [r.name, r])));
  };
  listeners.add(onSample);
  teardown.push(() => listeners.delete(onSample));
}

const browse = { list: 'ready', order: 'newest', offset: 0, count: 20 };

async function queuePage(name) {
  view.innerHTML = `<h1>Queue <span id="queue-name">${esc(name)}</span></h1>
    <div class="stats" id="queue-stats"></div>
    <div class="actions">
      <button data-act="purge-ready" class="danger">Purge ready</button>
      <button data-act="purge-rejected" class="danger">Purge rejected</button>
      <button data-act="return-rejected">Return all rejected</button>
      <button data-act="return-rejected-n">Return n rejected…</button>
      <button data-act="return-unacked">Return unacked of dead connections</button>
      <button data-act="pause">Pause</button>
      <button data-act="resume">Resume</button>
      <button data-act="update-consuming">Change prefetch and poll…</button>
    </div>
    ${chartsHtml('queue', 'The charts hold what this silo sampled since it started, up to Dashboard:HistorySeconds (10 minutes by default).')}
    <h2>Connections</h2><div class="card"><table id="connections"><thead><tr><th>connection</th><th>silo</th><th>heartbeat</th>
      <th class="n">TTL left</th><th class="n">age</th><th class="n">unacked</th><th>consumers</th></tr></thead><tbody></tbody></table></div>
    <h2>Long-running jobs in flight</h2><div class="card"><table id="jobs"><thead><tr><th class="n">delivery</th><th>consumer</th>
      <th class="n">attempt</th><th class="n">age</th><th class="n">renewed</th><th>progress</th><th></th></tr></thead><tbody></tbody></table></div>
    <h2>Browse</h2>
    <div class="tabs actions">
      <button data-list="ready">ready</button><button data-list="rejected">rejected</button>
      <select id="order"><option value="newest">newest first</option><option value="oldest">oldest first</option></select>
    </div>
    <div class="pager"><button id="prev">← previous</button><span id="page-info"></span><button id="next">next →</button></div>
    <div id="deliveries"></div>`;
  mountCharts('queue', name);
  view.querySelectorAll('[data-act]').forEach(b => b.onclick = () => {
    const a = b.dataset.act;
    if (a === 'update-consuming') {
      const prefetch = prompt(`Prefetch limit of ${name} (deliveries taken from ready at a time, at least 1)?`, '');
      if (!prefetch) return;
      const poll = prompt(`Poll interval of ${name} in milliseconds (at least 1)?`, '');
      if (poll) confirmAndAct(`Restart consuming ${name} with prefetch ${prefetch} and poll ${poll} ms? Calls in flight finish first.`,
        'update-consuming', name, { query: { prefetch, poll } });
      return;
    }
    if (a === 'return-rejected-n') {
      const n = prompt('How many rejected deliveries (oldest first) to return to ready?', '10');
      if (n) confirmAndAct(`Return ${n} rejected deliveries of ${name} to ready?`, 'return-rejected', name, { max: n });
      return;
    }
    const questions = {
      'purge-ready': `Delete every ready delivery of ${name}? This cannot be undone.`,
      'purge-rejected': `Delete every rejected delivery of ${name}? This cannot be undone.`,
      'return-rejected': `Return every rejected delivery of ${name} to ready?`,
      'return-unacked': `Return the unacked deliveries of ${name}'s dead connections to ready?`,
      'pause': `Pause consuming ${name}?`, 'resume': `Resume consuming ${name}?`,
    };
    confirmAndAct(questions[a], a, name);
  });
  view.querySelectorAll('[data-list]').forEach(b => b.onclick = () => { browse.list = b.dataset.list; browse.offset = 0; loadDeliveries(name); });
  const order = view.querySelector('#order');
  order.value = browse.order;
  order.onchange = () => { browse.order = order.value; browse.offset = 0; loadDeliveries(name); };
  view.querySelector('#prev').onclick = () => { browse.offset = Math.max(0, browse.offset - browse.count); loadDeliveries(name); };
  view.querySelector('#next').onclick = () => { browse.offset += browse.count; loadDeliveries(name); };

  const limitsText = l => [l.rate ? `rate ${l.rate.count} per ${l.rate.per}` : null, l.maxConcurrency != null ? `concurrency ${l.maxConcurrency}` : null]
    .filter(x => x).join(', ');
  const renderDetail = d => {
    const s = d.summary;
    document.getElementById('queue-stats').innerHTML =
      [['state', badge(s.state)], ['ready', fmt(s.ready)], ['unacked', fmt(s.unacked)], ['rejected', fmt(s.rejected)],
       ['scheduled', fmt(s.scheduled)], ['recurring', fmt(s.recurring)], ['consumers', fmt(s.consumers)], ['connections', fmt(s.connections)],
       ['retried', fmt(s.retried)], ['dead-lettered', fmt(s.deadLettered)]]
        .map(([k, v]) => `<div class="stat" data-stat="${k}"><div class="v">${v}</div><div class="k">${k}</div></div>`).join('')
      + (d.consuming?.stalledReason ? `<div class="stat"><div class="k">stalled: ${esc(d.consuming.stalledReason)}</div></div>` : '')
      + (d.consuming?.lastError ? `<div class="stat"><div class="k">last error: ${esc(d.consuming.lastError)}</div></div>` : '')
      + (d.consuming?.limits ? `<div class="stat" data-stat="limits"><div class="k">limits: ${esc(limitsText(d.consuming.limits))}${d.consuming.rateLimited ? ' (waiting for the rate window)' : ''}</div></div>` : '');
    document.querySelector('#connections tbody').innerHTML = d.connections.length === 0
      ? '<tr><td colspan="7" class="note">No connection consumes this queue.</td></tr>'
      : d.connections.map(c => `<tr data-connection="${esc(c.name)}"><td>${esc(c.name)}${c.isGoRmq ? ' <span class="note">(Go rmq)</span>' : ''}</td>
        <td>${esc(c.silo ?? '—')}</td><td>${badge(c.active ? 'alive' : 'dead')}</td>
        <td class="n">${c.heartbeatTtlSeconds == null ? '—' : c.heartbeatTtlSeconds + ' s'}</td>
        <td class="n">${c.heartbeatAgeSeconds == null ? '—' : c.heartbeatAgeSeconds + ' s'}</td>
        <td class="n unacked">${fmt(c.unacked)}</td><td>${c.consumers.map(n => c.isGoRmq ? esc(n)
          : `${esc(n)} <button class="small" data-remove-consumer="${esc(n)}" title="Remove this consumer">remove</button>`).join(', ')}</td></tr>`).join('');
  };
  const renderJobs = jobs => {
    const now = Date.now();
    const ago = t => `${Math.max(0, Math.round((now - Date.parse(t)) / 1000))} s`;
    const progress = p => !p ? '—' : `${p.percent == null ? '' : `<progress max="100" value="${p.percent}"></progress> ${Math.round(p.percent)} % `}${esc(p.text ?? '')}`;
    document.querySelector('#jobs tbody').innerHTML = !jobs || jobs.length === 0
      ? '<tr><td colspan="7" class="note">No long-running job is in flight.</td></tr>'
      : jobs.map(j => `<tr data-job="${j.deliveryId}"><td class="n">${j.deliveryId}</td><td>${esc(j.consumer)}</td><td class="n">${j.attempt}</td>
        <td class="n">${ago(j.started)}</td><td class="n">${ago(j.lastRenewed)} ago</td><td class="progress">${progress(j.progress)}</td>
        <td>${j.cancelRequested === 'None' ? `<button class="small danger" data-cancel-job="${j.deliveryId}">cancel</button>` : esc(j.cancelRequested)}</td></tr>`).join('');
  };
  document.getElementById('jobs').onclick = e => {
    const id = e.target.closest('[data-cancel-job]')?.dataset.cancelJob;
    if (id) confirmAndAct(`Cancel the job of delivery ${id} of ${name}? Its token fires; if it stops, the delivery goes to rejected (rmq-reason: cancelled).`,
      'cancel-job', name, { query: { delivery: id } });
  };
  // The rows are redrawn every refresh: one listener on the table, not one per button.
  document.getElementById('connections').onclick = e => {
    const consumer = e.target.closest('[data-remove-consumer]')?.dataset.removeConsumer;
    if (consumer) confirmAndAct(`Remove the consumer ${consumer} of ${name}? Its delivery in flight finishes; the others go on.`,
      'remove-consumer', name, { query: { consumer } });
  };
  const refresh = async () => {
    try { const d = await getJson(`api/queue?name=${q(name)}`); renderDetail(d); renderJobs(d.consuming?.jobs); } catch (e) { toast(e.message, true); }
  };
  await refresh();
  const timer = setInterval(refresh, 2000);
  teardown.push(() => clearInterval(timer));
  await loadDeliveries(name);
}

async function loadDeliveries(name) {
  view.querySelectorAll('[data-list]').forEach(b => b.classList.toggle('on', b.dataset.list === browse.list));
  const box = document.getElementById('deliveries');
  let page;
  try {
    page = await getJson(`api/queue/${browse.list}?name=${q(name)}&order=${browse.order}&offset=${browse.offset}&count=${browse.count}`);
  } catch (e) { box.innerHTML = `<p class="note">${esc(e.message)}</p>`; return; }
  const last = Math.min(page.total, page.offset + page.deliveries.length);
  document.getElementById('page-info').textContent =
    page.total === 0 ? `${page.list} is empty` : `${page.offset + 1}–${last} of ${fmt(page.total)} in ${page.list}, ${page.order} first`;
  box.innerHTML = page.deliveries.map((d, i) => `<div class="delivery" data-index="${i}" data-kind="${esc(d.kind)}">
      <div class="meta"><span>#${d.position + 1}</span><span>${esc(d.kind)}</span><span>${fmt(d.size)} bytes</span>
        ${d.truncated ? '<span>(cut at 16 KiB)</span>' : ''}<span class="spacer"></span>
        ${page.list === 'rejected' ? '<button data-one="requeue">Requeue</button>' : ''}<button data-one="delete" class="danger">Delete</button></div>
      ${d.headers ? `<table class="headers">${Object.entries(d.headers).map(([k, v]) => `<tr><td class="header-name">${esc(k)}</td><td class="header-value">${esc(v.join(', '))}</td></tr>`).join('')}</table>` : ''}
      ${d.headerError ? `<div class="note">header does not decode: ${esc(d.headerError)}</div>` : ''}
      <pre class="payload">${esc(d.payload)}</pre></div>`).join('');
  box.querySelectorAll('[data-one]').forEach(b => b.onclick = () => {
    const d = page.deliveries[+b.closest('.delivery').dataset.index];
    const what = b.dataset.one === 'requeue' ? `Move this delivery from rejected to ready?` : `Delete this delivery from ${page.list}? This cannot be undone.`;
    confirmAndAct(what, b.dataset.one, name, { body: { list: page.list, element: d.element } });
  });
}

async function cluster() {
  view.innerHTML = `<h1>Cluster</h1><div class="card"><table id="silos"><thead><tr><th>silo</th><th>address</th><th>status</th>
    <th>queues consumed here</th><th>connections</th></tr></thead><tbody></tbody></table></div>
    <h2>Go rmq connections</h2><div class="card"><table id="go-connections"><thead><tr><th>connection</th><th>heartbeat</th>
    <th class="n">unacked</th></tr></thead><tbody></tbody></table></div><h2>Cleaner</h2><p class="note" id="cleaner"></p>`;
  const c = await getJson('api/cluster');
  view.querySelector('#silos tbody').innerHTML = c.silos.map(s => `<tr><td>${esc(s.name)}${s.isThisSilo ? ' <span class="note">(this silo)</span>' : ''}</td>
    <td>${esc(s.address)}</td><td>${badge(s.status)}</td><td>${s.queues.map(n => `<a href="#/queue/${q(n)}">${esc(n)}</a>`).join(', ') || '—'}</td>
    <td>${s.connections.map(esc).join(', ') || '—'}</td></tr>`).join('');
  view.querySelector('#go-connections tbody').innerHTML = c.goRmqConnections.length === 0
    ? '<tr><td colspan="3" class="note">none</td></tr>'
    : c.goRmqConnections.map(g => `<tr><td>${esc(g.name)}</td><td>${badge(g.active ? 'alive' : 'dead')}</td><td class="n">${fmt(g.unacked)}</td></tr>`).join('');
  const k = c.cleaner, p = c.lastPass;
  const last = p
    ? `Last pass ${new Date(p.at).toLocaleString()} on ${p.silo}: ${p.error ? 'failed: ' + p.error : 'returned ' + fmt(p.returned) + ' deliveries to ready'}. `
    : 'The cleaner has made no pass since it was activated. ';
  view.querySelector('#cleaner').textContent = last + (k.lastAt
    ? `Returned ${fmt(k.total)} deliveries from dead connections to ready while running on this silo; last ${fmt(k.lastCount)} to ${k.lastQueue} at ${new Date(k.lastAt).toLocaleString()}. `
    : 'The cleaner has returned nothing while running on this silo. ') + c.cleanerNote;
}

async function route() {
  clear();
  const hash = location.hash || '#/';
  document.querySelectorAll('[data-nav]').forEach(a => a.classList.toggle('active',
    (a.dataset.nav === 'cluster') === hash.startsWith('#/cluster')));
  try {
    if (hash.startsWith('#/queue/')) await queuePage(decodeURIComponent(hash.slice('#/queue/'.length)));
    else if (hash.startsWith('#/cluster')) await cluster();
    else await overview();
  } catch (e) {
    view.innerHTML = `<p class="note">Could not load: ${esc(e.message)}</p>`;
  }
}

window.addEventListener('hashchange', route);
loadHistory().then(() => { startEvents(); route(); });
