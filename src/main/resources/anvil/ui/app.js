// Anvil's dashboard (doc/dashboard.md): plain JavaScript, no build step, nothing loaded from elsewhere.
// Every datum comes from the admin API with the operator's token in the Authorization header; live changes come
// from GET /api/v1/events read with fetch() (EventSource cannot send that header, and the token never goes in a
// URL). Everything from the API is put in the page as text (textContent), never as HTML.
'use strict';

(function () {
  const TOKEN_KEY = 'anvil-token';
  const STATES = ['discovering', 'discovered', 'install-pending', 'installing', 'installed', 'ready', 'failed'];
  const nodes = new Map(); // name -> node as the API shows it
  const tasks = new Map(); // id -> task
  let selected = null; // name of the node shown below the table
  let stream = null; // AbortController of the open event stream
  let streamVersion = 0; // the node version the last event was sent at
  let reloadTimer = null;

  const $ = (id) => document.getElementById(id);

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(path, options) {
    const opts = Object.assign({ method: 'GET' }, options || {});
    const headers = { Authorization: 'Bearer ' + token() };
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(opts.body);
    }
    opts.headers = headers;
    opts.cache = 'no-store';
    const r = await fetch(path, opts);
    if (r.status === 401) {
      logout('the token was refused (unknown or revoked)');
      throw new ApiError(401, 'unauthorized');
    }
    const text = await r.text();
    const body = text ? JSON.parse(text) : null;
    if (!r.ok) {
      throw new ApiError(r.status, (body && body.error) || r.status + ' ' + r.statusText);
    }
    return body;
  }

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) {
      e.textContent = String(text);
    }
    if (cls) {
      e.className = cls;
    }
    return e;
  }

  function row(cells) {
    const tr = document.createElement('tr');
    for (const c of cells) {
      const td = document.createElement('td');
      if (c instanceof Node) {
        td.appendChild(c);
      } else {
        td.textContent = c === null || c === undefined ? '' : String(c);
      }
      tr.appendChild(td);
    }
    return tr;
  }

  function stateBadge(state) {
    return el('span', state, 'state state-' + state);
  }

  function when(iso) {
    if (!iso) {
      return '';
    }
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString();
  }

  function showError(message) {
    $('error').textContent = message || '';
  }

  // ---- login ----

  function login(t) {
    sessionStorage.setItem(TOKEN_KEY, t);
    start();
  }

  function logout(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    if (stream) {
      stream.abort();
      stream = null;
    }
    nodes.clear();
    tasks.clear();
    selected = null;
    for (const id of ['nodes', 'networks', 'tasks', 'oses', 'timeline']) {
      $(id).tBodies[0].replaceChildren();
    }
    $('counts').replaceChildren();
    $('node').hidden = true;
    $('app').hidden = true;
    $('logout').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    setLive(false, 'offline');
  }

  async function start() {
    try {
      const status = await api('/api/v1/status');
      $('version').textContent = status.version ? 'v' + status.version : '';
    } catch (e) {
      if (e.status !== 401) {
        $('login-error').textContent = e.message;
      }
      return;
    }
    $('login').hidden = true;
    $('app').hidden = false;
    $('logout').hidden = false;
    $('token').value = '';
    openStream();
  }

  // ---- live updates ----

  function setLive(on, text) {
    $('live').textContent = text;
    $('live').className = 'live ' + (on ? 'on' : 'off');
  }

  // Reads text/event-stream from a fetch() body: events are separated by a blank line; "event:", "data:" and
  // "id:" fields; lines starting with ":" are comments (heartbeats).
  async function openStream() {
    if (stream) {
      stream.abort();
    }
    const ctl = new AbortController();
    stream = ctl;
    let buffered = []; // events that arrive while the snapshot loads, applied after it
    let loaded = false;
    try {
      const r = await fetch('/api/v1/events', {
        headers: { Authorization: 'Bearer ' + token(), Accept: 'text/event-stream' },
        cache: 'no-store',
        signal: ctl.signal,
      });
      if (r.status === 401) {
        logout('the token was refused (unknown or revoked)');
        return;
      }
      if (!r.ok) {
        throw new Error('event stream: ' + r.status);
      }
      setLive(true, 'live');
      const reader = r.body.getReader();
      const decoder = new TextDecoder();
      let text = '';
      const deliver = (ev) => (loaded ? apply(ev) : buffered.push(ev));
      loadAll().then(() => {
        loaded = true;
        buffered.forEach(apply);
        buffered = [];
      }, (e) => showError(e.message));
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          break;
        }
        text += decoder.decode(value, { stream: true });
        let end;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const ev = parseEvent(block);
          if (ev) {
            deliver(ev);
          }
        }
      }
    } catch (e) {
      if (ctl.signal.aborted) {
        return;
      }
    }
    if (stream === ctl && token()) {
      setLive(false, 'reconnecting');
      setTimeout(() => {
        if (stream === ctl && token()) {
          openStream();
        }
      }, 3000);
    }
  }

  function parseEvent(block) {
    const ev = { event: 'message', data: '', id: null };
    let any = false;
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) {
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') {
        ev.event = value;
        any = true;
      } else if (field === 'data') {
        ev.data += (ev.data ? '\n' : '') + value;
        any = true;
      } else if (field === 'id') {
        ev.id = value;
      }
    }
    return any ? ev : null;
  }

  function apply(ev) {
    if (ev.id !== null) {
      streamVersion = Number(ev.id);
      $('live').title = 'live updates (node version ' + streamVersion + ')';
    }
    const data = ev.data ? JSON.parse(ev.data) : {};
    if (ev.event === 'node') {
      const n = data.node;
      if (data.kind === 'deleted') {
        nodes.delete(n.name);
        if (selected === n.name) {
          selected = null;
          $('node').hidden = true;
        }
      } else {
        if (data.renamedFrom) {
          nodes.delete(data.renamedFrom);
          if (selected === data.renamedFrom) {
            selected = n.name;
          }
        }
        nodes.set(n.name, n);
      }
      renderNodes(n.name);
      if (selected === n.name) {
        renderNode();
      }
      scheduleReload(); // lease use follows node changes
    } else if (ev.event === 'task') {
      tasks.set(data.id, data);
      renderTasks();
    } else if (ev.event === 'network') {
      scheduleReload();
    }
  }

  function scheduleReload() {
    if (reloadTimer) {
      return;
    }
    reloadTimer = setTimeout(() => {
      reloadTimer = null;
      loadNetworks().catch((e) => showError(e.message));
    }, 1000);
  }

  // ---- snapshot ----

  async function loadAll() {
    const [list, taskList] = await Promise.all([api('/api/v1/nodes'), api('/api/v1/tasks')]);
    nodes.clear();
    for (const n of list) {
      nodes.set(n.name, n);
    }
    tasks.clear();
    for (const t of taskList) {
      tasks.set(t.id, t);
    }
    renderNodes();
    renderTasks();
    showError('');
    await Promise.all([loadNetworks(), loadOses()]);
  }

  async function loadNetworks() {
    const [networks, leases] = await Promise.all([api('/api/v1/networks'), api('/api/v1/leases')]);
    const used = new Map();
    for (const l of leases) {
      if (l.state === 'active' || l.state === 'offered') {
        used.set(l.network, (used.get(l.network) || 0) + 1);
      }
    }
    const body = $('networks').tBodies[0];
    body.replaceChildren();
    for (const n of networks) {
      const size = poolSize(n.dhcpPool);
      const inUse = used.get(n.name) || 0;
      let use = String(inUse);
      if (size > 0) {
        const m = document.createElement('meter');
        m.min = 0;
        m.max = size;
        m.value = inUse;
        m.high = size * 0.9;
        const span = el('span', ' ' + inUse + ' / ' + size);
        use = el('span');
        use.append(m, span);
      }
      body.appendChild(row([n.name, n.cidr, n.dhcpPool || 'none', use]));
    }
  }

  function ipv4(s) {
    return s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  }

  function poolSize(range) {
    if (!range) {
      return 0;
    }
    const [a, b] = range.split('-');
    return ipv4(b) - ipv4(a) + 1;
  }

  async function loadOses() {
    const oses = await api('/api/v1/oses');
    const body = $('oses').tBodies[0];
    body.replaceChildren();
    const select = $('install-os');
    select.replaceChildren();
    for (const o of oses) {
      body.appendChild(row([o.name, o.family, o.imported ? 'yes' : 'no']));
      const opt = el('option', o.name + (o.imported ? '' : ' (not imported)'));
      opt.value = o.name;
      select.appendChild(opt);
    }
  }

  // ---- rendering ----

  function matches(n, q, state) {
    if (state && n.state !== state) {
      return false;
    }
    if (!q) {
      return true;
    }
    const hay = [n.name, n.bootEnv, n.state, ...n.macs, ...n.addresses.map((a) => a.ipv4)].join(' ').toLowerCase();
    return hay.includes(q);
  }

  function renderNodes(changed) {
    const q = $('search').value.trim().toLowerCase();
    const state = $('state-filter').value;
    const body = $('nodes').tBodies[0];
    body.replaceChildren();
    let shown = 0;
    for (const n of nodes.values()) {
      if (!matches(n, q, state)) {
        continue;
      }
      shown++;
      const tr = row([
        n.name,
        n.macs.join(', '),
        n.addresses.map((a) => a.ipv4).join(', '),
        stateBadge(n.state),
        n.bootEnv,
        n.alive ? 'yes' : 'no',
        when(n.updatedAt),
      ]);
      tr.dataset.name = n.name;
      tr.dataset.state = n.state;
      if (n.name === selected) {
        tr.classList.add('selected');
      }
      if (n.name === changed) {
        tr.classList.add('flash');
      }
      tr.addEventListener('click', () => select(n.name));
      body.appendChild(tr);
    }
    $('node-count').textContent = shown === nodes.size ? '(' + nodes.size + ')' : '(' + shown + ' of ' + nodes.size + ')';
    renderCounts();
  }

  function renderCounts() {
    const by = new Map(STATES.map((s) => [s, 0]));
    for (const n of nodes.values()) {
      by.set(n.state, (by.get(n.state) || 0) + 1);
    }
    const box = $('counts');
    box.replaceChildren();
    const total = el('div', null, 'count');
    total.append(el('b', nodes.size), el('span', 'nodes'));
    box.appendChild(total);
    for (const [s, c] of by) {
      const d = el('div', null, 'count');
      d.dataset.state = s;
      d.append(el('b', c), el('span', s));
      box.appendChild(d);
    }
  }

  function renderTasks() {
    const body = $('tasks').tBodies[0];
    body.replaceChildren();
    const list = [...tasks.values()].sort((a, b) => b.id - a.id);
    // queued and running first, then the last few that ended
    const open = list.filter((t) => t.state === 'queued' || t.state === 'running');
    const ended = list.filter((t) => t.state !== 'queued' && t.state !== 'running').slice(0, 5);
    for (const t of open.concat(ended)) {
      const progress = t.progress ? t.progress.files + ' files, ' + t.progress.bytes + ' bytes' : '';
      const what = t.os ? t.os : t.nodeId === null ? '' : 'node #' + t.nodeId;
      body.appendChild(row([t.id, t.kind, what, t.state, progress, t.blockedBy || t.error || '']));
    }
  }

  async function select(name) {
    selected = name;
    $('action-error').textContent = '';
    renderNodes();
    renderNode();
    $('node').hidden = false;
    await loadTimeline(name);
  }

  function renderNode() {
    const n = nodes.get(selected);
    if (!n) {
      return;
    }
    $('node-name').textContent = n.name;
    const facts = $('node-facts');
    facts.replaceChildren();
    const add = (k, v) => facts.append(el('dt', k), el('dd', v));
    add('state', n.state);
    add('boot environment', n.bootEnv);
    add('target OS', n.targetOs || 'none');
    add('MACs', n.macs.join(', '));
    add('addresses', n.addresses.map((a) => a.network + ' ' + a.ipv4 + (a.ipv6 ? ' ' + a.ipv6 : '')).join('; '));
    add('alive', n.alive ? 'yes' : 'no');
    add('available', n.available ? 'yes' : 'no');
    add('created', when(n.createdAt));
    add('last change', when(n.updatedAt));
    add('host keys', n.hostKeys && n.hostKeys.length ? n.hostKeys.map((k) => k.type).join(', ') : 'not pinned');
  }

  async function loadTimeline(name) {
    const body = $('timeline').tBodies[0];
    body.replaceChildren();
    $('timeline').classList.add('empty');
    $('timeline-note').textContent = 'loading...';
    $('inventory').textContent = '';
    try {
      const t = await api('/api/v1/nodes/' + encodeURIComponent(name) + '/timeline?limit=200');
      if (selected !== name) {
        return;
      }
      for (const e of t.events) {
        body.appendChild(row([when(e.at), e.source, e.event, e.mac, e.address, e.detail]));
      }
      $('timeline').classList.toggle('empty', t.events.length === 0);
      const dropped = t.dropped ? ' (' + t.dropped + ' older events dropped)' : '';
      $('timeline-note').textContent = t.events.length + ' events, oldest first' + dropped;
    } catch (e) {
      $('timeline-note').textContent = e.status === 404 ? 'timeline not available' : 'timeline: ' + e.message;
    }
    try {
      const inv = await api('/api/v1/nodes/' + encodeURIComponent(name) + '/inventory');
      if (selected === name) {
        $('inventory').textContent = JSON.stringify(inv, null, 2);
      }
    } catch (e) {
      if (selected === name) {
        $('inventory').textContent = e.status === 404 ? 'no inventory reported' : 'inventory: ' + e.message;
      }
    }
  }

  async function act(path, body, method) {
    $('action-error').textContent = '';
    const name = selected;
    try {
      await api('/api/v1/nodes/' + encodeURIComponent(name) + path, { method: method || 'POST', body: body });
      // the change arrives as an event; the timeline is read again
      await loadTimeline(name);
    } catch (e) {
      $('action-error').textContent = e.message;
    }
  }

  // ---- wiring ----

  document.addEventListener('DOMContentLoaded', () => {
    for (const s of STATES) {
      const o = el('option', s);
      o.value = s;
      $('state-filter').appendChild(o);
    }
    $('login-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const t = $('token').value.trim();
      if (t) {
        login(t);
      }
    });
    $('logout').addEventListener('click', () => logout(''));
    $('search').addEventListener('input', () => renderNodes());
    $('state-filter').addEventListener('change', () => renderNodes());
    $('act-install').addEventListener('click', () => act('/actions/install', { os: $('install-os').value }));
    $('act-redeploy').addEventListener('click', () => act('/actions/redeploy', {}));
    $('act-reboot').addEventListener('click', () => act('/actions/reboot', {}));
    $('act-available').addEventListener('click', () => {
      const n = nodes.get(selected);
      if (n) {
        act('', { available: !n.available }, 'PATCH');
      }
    });
    $('act-close').addEventListener('click', () => {
      selected = null;
      $('node').hidden = true;
      renderNodes();
    });
    if (token()) {
      start();
    } else {
      logout('');
    }
  });
})();
