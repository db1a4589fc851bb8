// The web page of `cs -serve`, phone first: one HTML file, one script, one
// stylesheet, all served from memory. Everything from the sessions is put in
// the page with textContent (never innerHTML), and the CSP allows nothing but
// our own script, style and same-origin requests.
import { createHash } from 'node:crypto';

export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>cs sessions</title>
<link rel="stylesheet" href="/app.css">
</head>
<body>
<header>
  <a href="#/" id="home">cs</a>
  <span id="where"><span id="wname"></span><span id="wstate"></span></span>
  <span id="live" title="live feed"></span>
  <button id="bell" type="button" hidden title="Get a browser notification when a session needs you">Notify me</button>
</header>
<main>
  <section id="list">
    <form id="search" role="search"><input id="q" type="search" placeholder="search discoveries, changes, artifacts, transcripts" autocomplete="off"></form>
    <ol id="results" hidden></ol>
    <ol id="sessions"></ol>
  </section>
  <section id="timeline" hidden>
    <p id="objective"></p>
    <ol id="conv"></ol>
    <details id="queue"><summary id="qsum">Queue</summary>
      <p id="qpark" class="meta" hidden></p>
      <ol id="tasks"></ol>
      <form id="qadd"><input id="qtext" type="text" placeholder="A task for later" autocomplete="off"><div class="row"><button id="qbtn" type="submit">Add to queue</button><button id="qstart" type="button">Start queue</button></div></form>
    </details>
    <form id="ask">
      <div id="pending" hidden></div>
      <p id="askNote" class="meta"></p>
      <textarea id="text" rows="3" placeholder="Tell Claude the next step"></textarea>
      <div class="row"><button id="send" type="submit">Send</button><button id="stop" type="button">Interrupt</button></div>
    </form>
    <details id="tl"><summary>Timeline</summary><ol id="events"></ol></details>
  </section>
</main>
<script src="/app.js"></script>
</body>
</html>
`;

export const CSS = `:root { color-scheme: light dark; --dim: #888; --ok: #2a7; --bad: #d44; --acc: #39c; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.4 system-ui, sans-serif; }
header { position: sticky; top: 0; display: flex; gap: .75em; align-items: center; padding: .6em 1em; background: Canvas; border-bottom: 1px solid #8884; }
header a { font-weight: 700; text-decoration: none; color: var(--acc); }
#where { display: flex; min-width: 0; font-weight: 600; white-space: nowrap; }
/* A long session name gives way, never the state after it (64-character names exist). */
#wname { overflow: hidden; text-overflow: ellipsis; min-width: 0; }
#wstate { flex: none; white-space: pre; } /* pre: its leading space would go at the start of a flex item */
#live { margin-left: auto; font-size: .8em; color: var(--dim); }
#live.on { color: var(--ok); }
main { padding: .5em 1em 2em; max-width: 60em; margin: 0 auto; }
ol { list-style: none; margin: 0; padding: 0; }
#q { width: 100%; padding: .5em; font: inherit; margin: .5em 0; }
#sessions li, #results li { padding: .6em 0; border-bottom: 1px solid #8882; }
#sessions a { font-weight: 600; text-decoration: none; color: inherit; }
#sessions li, #results li, #objective { overflow-wrap: anywhere; }
.meta, .when { color: var(--dim); font-size: .85em; }
.snippet { font-family: ui-monospace, monospace; font-size: .85em; white-space: pre-wrap; word-break: break-word; }
#events li { display: grid; grid-template-columns: 5.5em 7.5em 1fr; gap: .5em; padding: .3em 0; border-bottom: 1px solid #8881; }
#events .text { font-family: ui-monospace, monospace; font-size: .85em; word-break: break-word; }
#events li[data-type="tool-failed"] .type { color: var(--bad); }
#events li[data-type="discovery"] .type, #events li[data-type="artifact"] .type { color: var(--ok); }
#events li[data-type^="session"] .type { font-weight: 700; }
#events li.new { animation: flash 1.5s ease-out; }
@keyframes flash { from { background: #39c4; } to { background: transparent; } }
.state { display: inline-block; font-size: .75em; padding: .05em .5em; border-radius: 1em; margin-left: .4em; background: #8883; vertical-align: middle; }
.state.working { background: #39c4; } .state.needs-you { background: #e9a3; font-weight: 700; } .state.died { background: #d444; }
#conv li { padding: .35em 0; border-bottom: 1px solid #8881; word-break: break-word; }
#conv .prompt { font-weight: 600; } #conv .prompt::before { content: '\\203a  '; color: var(--acc); }
#conv .tool { font-family: ui-monospace, monospace; font-size: .85em; color: var(--dim); }
#conv details.result { font-family: ui-monospace, monospace; font-size: .8em; white-space: pre-wrap; color: var(--dim); }
#conv .error summary { color: var(--bad); }
#conv .text { white-space: pre-wrap; }
#pending { border: 2px solid #e9a; border-radius: .5em; padding: .6em; margin: 0 0 .5em; max-height: 50vh; overflow-y: auto; }
#pending .sum { font-family: ui-monospace, monospace; font-size: .85em; word-break: break-word; margin: .3em 0 .5em; max-height: 7.5em; overflow-y: auto; }
#ask { position: sticky; bottom: 0; background: Canvas; padding: .5em 0; }
#ask textarea { width: 100%; font: inherit; padding: .5em; resize: vertical; }
.row { display: flex; gap: .5em; margin-top: .4em; }
button { font: inherit; padding: .55em 1.1em; border-radius: .4em; border: 1px solid #8886; background: ButtonFace; color: ButtonText; min-height: 44px; }
button.allow, #send { background: var(--ok); color: #fff; border-color: transparent; }
button.deny, #stop { background: transparent; color: var(--bad); border-color: var(--bad); }
button:disabled, textarea:disabled { opacity: .4; cursor: not-allowed; }
#tl summary, #queue summary { color: var(--dim); cursor: pointer; padding: .5em 0; }
#tasks li { padding: .3em 0; border-bottom: 1px solid #8881; word-break: break-word; }
#tasks .st { display: inline-block; min-width: 5em; color: var(--dim); font-size: .85em; }
#tasks li.running .st { color: var(--acc); font-weight: 700; } #tasks li.parked .st { color: var(--bad); }
#qtext { width: 100%; font: inherit; padding: .5em; }
#bell { min-height: 32px; padding: .2em .7em; font-size: .85em; }
@media (max-width: 30em) { #events li { grid-template-columns: 4.5em 1fr; } #events .type { display: none; } }
`;

export const JS = `'use strict';
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var source = null;
  var current = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function ago(iso) {
    var s = (Date.now() - new Date(iso).getTime()) / 1000;
    if (!(s >= 0)) return '';
    if (s < 90) return 'just now';
    if (s < 5400) return Math.round(s / 60) + ' min ago';
    if (s < 129600) return Math.round(s / 3600) + ' h ago';
    return Math.round(s / 86400) + ' days ago';
  }
  function clock(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? iso : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }
  // The device key (src/serve/devices.ts): handed over once in the sign-in
  // redirect's fragment, kept in this origin's storage (another port of the
  // host cannot read it, unlike the cookie), sent with every API request.
  var KEY = 'cs-device-key';
  var given = /^#key=([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (given) {
    try { localStorage.setItem(KEY, given[1]); } catch (e) {}
    history.replaceState(null, '', location.pathname + location.search);
  }
  function deviceKey() {
    try { return localStorage.getItem(KEY) || ''; } catch (e) { return ''; }
  }
  function failed(r) {
    return r.json().then(function (j) { return j.error; }, function () { return ''; }).then(function (why) {
      throw new Error(why || r.status + ' ' + r.statusText);
    });
  }
  function getJSON(url) {
    return fetch(url, { credentials: 'same-origin', headers: { 'x-cs-key': deviceKey() } }).then(function (r) {
      return r.ok ? r.json() : failed(r);
    });
  }
  function setLive(on, text) {
    $('live').className = on ? 'on' : '';
    $('live').textContent = text;
  }
  function stopFeed() {
    if (source) source.close();
    source = null;
    setLive(false, '');
  }
  var api = function (name, rest) { return '/api/sessions/' + encodeURIComponent(name) + (rest || ''); };

  function post(url, body) {
    return fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', 'x-cs-key': deviceKey() }, body: JSON.stringify(body || {}) }).then(function (r) {
      return r.ok ? r.json() : failed(r);
    });
  }

  // Browser notifications: asked for on a click (browsers refuse the
  // question otherwise), shown when a session starts needing the owner,
  // finishes a turn or dies with no terminal attached.
  var canNotify = 'Notification' in window;
  function showBell() { $('bell').hidden = !canNotify || Notification.permission !== 'default'; }
  function tell(name, what, body) {
    if (!canNotify || Notification.permission !== 'granted') return;
    try {
      var n = new Notification(name + ': ' + what, { body: body || '', tag: 'cs-' + name + '-' + what });
      n.onclick = function () { window.focus(); location.hash = '#/s/' + encodeURIComponent(name); n.close(); };
    } catch (e) { /* a browser that wants a service worker for this: the badge still shows it */ }
  }
  var known = {};
  function watchStates(sessions) {
    sessions.forEach(function (s) {
      var before = known[s.name];
      known[s.name] = s.state;
      if (before === undefined || before === s.state || s.attached) return;
      if (s.state === 'needs-you') tell(s.name, 'needs you', s.objective);
      else if (s.state === 'died') tell(s.name, 'died', s.objective);
      else if (before === 'working' && s.state === 'idle') tell(s.name, 'finished a turn', s.objective);
    });
    var need = sessions.filter(function (s) { return s.state === 'needs-you'; }).length;
    document.title = (need ? '(' + need + ') ' : '') + (current ? current + ' \\u00b7 cs' : 'cs sessions');
  }

  var convAfter = 0;
  function addItem(it) {
    var li;
    if (it.kind === 'result') {
      li = el('li');
      var d = el('details', 'result' + (it.error ? ' error' : ''));
      d.appendChild(el('summary', '', (it.error ? 'error' : 'result') + (it.tool ? ' of ' + it.tool : '')));
      d.appendChild(document.createTextNode(it.text));
      li.appendChild(d);
    } else li = el('li', it.kind, it.text);
    $('conv').appendChild(li);
  }
  function addItems(items) {
    var atEnd = window.innerHeight + window.scrollY >= document.body.scrollHeight - 80;
    items.forEach(function (it) { if (it.n > convAfter) { addItem(it); convAfter = it.n; } });
    if (atEnd) window.scrollTo(0, document.body.scrollHeight);
  }
  var asked = {};
  function showPending(name, list) {
    var box = $('pending');
    box.textContent = '';
    box.hidden = !list.length;
    list.forEach(function (p) {
      if (!asked[p.id]) { asked[p.id] = true; tell(name, 'needs you', 'asks to use ' + p.summary); }
      var div = el('div', 'req');
      div.appendChild(el('strong', '', 'Claude asks to use ' + p.tool));
      div.appendChild(el('div', 'sum', p.summary));
      var row = el('div', 'row');
      [['allow', 'Allow once'], ['deny', 'Deny']].forEach(function (b) {
        var btn = el('button', b[0], b[1]);
        btn.type = 'button';
        btn.addEventListener('click', function () {
          row.querySelectorAll('button').forEach(function (x) { x.disabled = true; });
          post(api(name, '/permissions/' + p.id), { decision: b[0] }).catch(function (e) { $('askNote').textContent = e.message; });
        });
        row.appendChild(btn);
      });
      div.appendChild(row);
      box.appendChild(div);
    });
  }
  // The open session is no longer listed (removed, renamed, archived): its view stops saying live.
  function showGone(name) {
    stopFeed();
    setLive(false, 'gone');
    setWhere(name, 'gone');
    $('text').disabled = $('send').disabled = $('stop').disabled = true;
    $('askNote').textContent = 'No session named ' + name + ' any more (removed, renamed or archived): cs, top left, lists the sessions.';
  }
  // The header: the name (cut with an ellipsis when long) and, kept whole after it, the state.
  function setWhere(name, state) {
    $('wname').textContent = name;
    $('wstate').textContent = state ? ' \\u00b7 ' + state : '';
  }
  function showState(name, s) {
    setWhere(name, s.state);
    $('text').disabled = $('send').disabled = $('stop').disabled = !s.running;
    $('askNote').textContent = !s.running ? 'Not running. Start it on the host with: cs -spawn ' + name : s.attached ? 'Also open at a terminal.' : '';
  }
  function hhmm(iso) { return new Date(iso).toTimeString().slice(0, 5); }
  function loadQueue(name) {
    return getJSON(api(name, '/queue')).then(function (q) {
      if (current !== name) return;
      $('qsum').textContent = 'Queue \\u00b7 ' + q.summary;
      $('qpark').hidden = !q.parked;
      $('qpark').textContent = q.parked ? q.parked.debrief + (q.resumesAt ? ' \\u2014 resumes at ' + hhmm(q.resumesAt) : '') : '';
      $('qstart').hidden = q.armed || !q.tasks.some(function (t) { return t.state === 'pending' || t.state === 'parked'; });
      var ol = $('tasks');
      ol.textContent = '';
      q.tasks.forEach(function (t) {
        var li = el('li', t.state);
        li.appendChild(el('span', 'st', t.id + ' ' + t.state));
        li.appendChild(document.createTextNode(' ' + t.text));
        ol.appendChild(li);
      });
      if (!q.tasks.length) ol.appendChild(el('li', 'meta', 'No tasks queued.'));
    }).catch(function () {});
  }

  // One poll of the sessions for every view: the list, the open session's
  // state line, the badge and the notifications.
  function poll() {
    return getJSON('/api/sessions').then(function (sessions) {
      watchStates(sessions);
      if (current === null) showSessions(sessions);
      else {
        var s = sessions.filter(function (x) { return x.name === current; })[0];
        if (s) showState(current, s);
        else showGone(current);
      }
    }).catch(function (e) { if (current === null) $('sessions').textContent = 'Could not load sessions: ' + e.message; });
  }
  function showSessions(sessions) {
    var ol = $('sessions');
    ol.textContent = '';
    sessions.forEach(function (s) {
      var li = el('li');
      // A session of another host is shown, not opened: its conversation and controls live there.
      var a = el(s.remote ? 'strong' : 'a', '', s.name);
      if (!s.remote) a.href = '#/s/' + encodeURIComponent(s.name);
      li.appendChild(a);
      li.appendChild(el('span', 'state ' + s.state, s.state));
      li.appendChild(el('div', 'meta', ago(s.lastActivity || s.lastUsed) + (s.attached ? ' \\u00b7 terminal attached' : '') + ' \\u00b7 ' + s.discoveries + ' discoveries' + (s.queued ? ' \\u00b7 ' + s.queued + ' queued' : '') + (s.host !== 'local' ? ' \\u00b7 on ' + s.host : '')));
      if (s.objective) li.appendChild(el('div', '', s.objective));
      if (s.remote) li.appendChild(el('div', 'meta', 'on another host: cs ' + s.name + ' --on ' + s.host));
      ol.appendChild(li);
    });
    if (!sessions.length) ol.appendChild(el('li', 'meta', 'No sessions yet.'));
  }

  function showList() {
    stopFeed();
    current = null;
    setWhere('sessions', '');
    $('timeline').hidden = true;
    $('list').hidden = false;
    poll();
  }

  function addEvent(ev, fresh) {
    var li = el('li', fresh ? 'new' : '');
    li.setAttribute('data-type', ev.type);
    li.appendChild(el('span', 'when', clock(ev.ts)));
    li.appendChild(el('span', 'type', ev.type));
    li.appendChild(el('span', 'text', ev.text));
    var ol = $('events');
    ol.insertBefore(li, ol.firstChild);
    while (ol.childNodes.length > 2000) ol.removeChild(ol.lastChild);
  }

  function showSession(name) {
    stopFeed();
    current = name;
    convAfter = 0;
    $('conv').textContent = '';
    $('pending').hidden = true;
    setWhere(name, '');
    $('list').hidden = true;
    $('timeline').hidden = false;
    $('events').textContent = '';
    $('objective').textContent = '';
    $('tasks').textContent = '';
    getJSON(api(name)).then(function (s) {
      if (current === name) $('objective').textContent = s.objective || '';
    }).catch(function (e) {
      // Not signed in for the API (no key here): say so in the session view too, not only in the list.
      if (current === name) $('objective').textContent = 'Could not load ' + name + ': ' + e.message;
    });
    poll();
    loadQueue(name);
    // Everything live arrives on this one stream: timeline events, the
    // conversation as Claude writes it, and the pending permission requests.
    var backlog = true;
    // An EventSource sends no headers of ours: the key goes in the query (to this server only).
    source = new EventSource(api(name, '/events') + '?key=' + encodeURIComponent(deviceKey()));
    var on = function (type, f) { source.addEventListener(type, function (m) { if (current === name) f(JSON.parse(m.data)); }); };
    on('reset', function () { $('events').textContent = ''; backlog = true; });
    on('ready', function () { backlog = false; });
    on('timeline', function (ev) {
      addEvent(ev, !backlog);
      if (backlog) return;
      if (ev.type === 'queue') loadQueue(name);
      poll();
    });
    on('convreset', function () { $('conv').textContent = ''; convAfter = 0; });
    on('conversation', addItems);
    on('permissions', function (list) { showPending(name, list); });
    source.onopen = function () { setLive(true, 'live'); };
    source.onerror = function () { setLive(false, source && source.readyState === 2 ? 'offline' : 'reconnecting\\u2026'); };
  }

  function search(q) {
    var ol = $('results');
    ol.textContent = '';
    ol.hidden = !q;
    if (!q) return;
    getJSON('/api/search?q=' + encodeURIComponent(q)).then(function (hits) {
      hits.forEach(function (h) {
        var li = el('li');
        var a = el('a', '', h.session);
        a.href = '#/s/' + encodeURIComponent(h.session);
        li.appendChild(a);
        li.appendChild(el('span', 'meta', ' ' + h.source + ' \\u00b7 ' + h.file + ':' + h.line));
        li.appendChild(el('div', 'snippet', h.snippet));
        ol.appendChild(li);
      });
      if (!hits.length) ol.appendChild(el('li', 'meta', 'Nothing found.'));
    }).catch(function (e) { ol.textContent = 'Search failed: ' + e.message; });
  }

  function route() {
    var m = /^#\\/s\\/(.+)$/.exec(location.hash);
    var name = null;
    // A link with bad escapes (#/s/%E0) is no session: the list, not a page that stopped working.
    try { if (m) name = decodeURIComponent(m[1]); } catch (e) { name = null; }
    if (name !== null) showSession(name);
    else showList();
  }
  $('search').addEventListener('submit', function (e) { e.preventDefault(); search($('q').value.trim()); });
  $('ask').addEventListener('submit', function (e) {
    e.preventDefault();
    var text = $('text').value;
    if (!text.trim() || !current) return;
    $('send').disabled = true;
    post(api(current, '/input'), { text: text }).then(function () {
      $('text').value = '';
      $('askNote').textContent = 'Sent.';
    }).catch(function (e) { $('askNote').textContent = e.message; }).then(function () { $('send').disabled = false; });
  });
  $('stop').addEventListener('click', function () {
    if (current) post(api(current, '/interrupt')).then(function () { $('askNote').textContent = 'Interrupted.'; }).catch(function (e) { $('askNote').textContent = e.message; });
  });
  $('qadd').addEventListener('submit', function (e) {
    e.preventDefault();
    var text = $('qtext').value;
    if (!text.trim() || !current) return;
    var name = current;
    post(api(name, '/queue'), { text: text }).then(function () { $('qtext').value = ''; loadQueue(name); }).catch(function (e) { $('qpark').hidden = false; $('qpark').textContent = e.message; });
  });
  $('qstart').addEventListener('click', function () {
    var name = current;
    if (name) post(api(name, '/queue/start')).then(function () { loadQueue(name); }).catch(function (e) { $('qpark').hidden = false; $('qpark').textContent = e.message; });
  });
  $('bell').addEventListener('click', function () {
    Notification.requestPermission().then(showBell, showBell);
  });
  showBell();
  setInterval(poll, 4000);
  window.addEventListener('hashchange', route);
  route();
})();
`;

// The page a one-time sign-in link opens. Its GET spends nothing: messaging
// apps fetch a URL they are sent to draw a preview, and that fetch spent the
// link before its owner could open it. The page posts the code back (the
// script at once, the button where scripts do not run); the server spends it
// on that POST alone, which a previewer never sends.
const LOGIN_STYLE = ':root{color-scheme:light dark}body{margin:0;font:16px/1.5 system-ui,sans-serif}main{max-width:30em;margin:0 auto;padding:1.5em 1em}h1{font-size:1.4em;margin:0 0 .5em}button{font:inherit;width:100%;min-height:48px;padding:.6em 1.2em;margin-top:.5em;border-radius:.4em;border:1px solid transparent;background:#1a7350;color:#fff}';
// A prerendered page (a browser guessing the next page) is no one opening the link: it waits until shown.
const LOGIN_SCRIPT = "var f=document.getElementById('signin');if(document.prerendering)document.addEventListener('prerenderingchange',function(){f.submit()},{once:true});else f.submit();";
const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;

/**
 * The CSP of the sign-in page: its own inline style and script (by hash)
 * and a form that posts to this server; nothing else.
 */
export const LOGIN_CSP = `default-src 'none'; script-src ${sha256(LOGIN_SCRIPT)}; style-src ${sha256(LOGIN_STYLE)}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The sign-in page for `code`: a form that posts it to /login, submitted by its script, with a button for a browser without one. */
export function loginPage(code: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Sign in to cs</title>
<style>${LOGIN_STYLE}</style>
</head>
<body>
<main>
<h1>Sign in to cs</h1>
<p>This link signs in this browser, once. If the sessions do not open by themselves, press Sign in.</p>
<form id="signin" method="post" action="/login">
<input type="hidden" name="code" value="${escapeHtml(code)}">
<button type="submit">Sign in</button>
</form>
</main>
<script>${LOGIN_SCRIPT}</script>
</body>
</html>
`;
}
