// The read-only web page of `cs -serve`: one HTML file, one script, one
// stylesheet, all served from memory. Everything from the sessions is put in
// the page with textContent (never innerHTML), and the CSP allows nothing but
// our own script, style and same-origin requests.

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
  <span id="where"></span>
  <span id="live" title="live feed"></span>
</header>
<main>
  <section id="list">
    <form id="search" role="search"><input id="q" type="search" placeholder="search discoveries, changes, artifacts, transcripts" autocomplete="off"></form>
    <ol id="results" hidden></ol>
    <ol id="sessions"></ol>
  </section>
  <section id="timeline" hidden>
    <p id="objective"></p>
    <ol id="events"></ol>
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
#where { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
#live { margin-left: auto; font-size: .8em; color: var(--dim); }
#live.on { color: var(--ok); }
main { padding: .5em 1em 2em; max-width: 60em; margin: 0 auto; }
ol { list-style: none; margin: 0; padding: 0; }
#q { width: 100%; padding: .5em; font: inherit; margin: .5em 0; }
#sessions li, #results li { padding: .6em 0; border-bottom: 1px solid #8882; }
#sessions a { font-weight: 600; text-decoration: none; color: inherit; }
.meta, .when { color: var(--dim); font-size: .85em; }
.snippet { font-family: ui-monospace, monospace; font-size: .85em; white-space: pre-wrap; word-break: break-word; }
#events li { display: grid; grid-template-columns: 5.5em 7.5em 1fr; gap: .5em; padding: .3em 0; border-bottom: 1px solid #8881; }
#events .text { font-family: ui-monospace, monospace; font-size: .85em; word-break: break-word; }
#events li[data-type="tool-failed"] .type { color: var(--bad); }
#events li[data-type="discovery"] .type, #events li[data-type="artifact"] .type { color: var(--ok); }
#events li[data-type^="session"] .type { font-weight: 700; }
#events li.new { animation: flash 1.5s ease-out; }
@keyframes flash { from { background: #39c4; } to { background: transparent; } }
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
  function getJSON(url) {
    return fetch(url, { credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) throw new Error(r.status + ' ' + r.statusText);
      return r.json();
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

  function showList() {
    stopFeed();
    current = null;
    $('where').textContent = 'sessions';
    $('timeline').hidden = true;
    $('list').hidden = false;
    getJSON('/api/sessions').then(function (sessions) {
      var ol = $('sessions');
      ol.textContent = '';
      sessions.forEach(function (s) {
        var li = el('li');
        var a = el('a', '', s.name + (s.open ? ' \\u25cf' : ''));
        a.href = '#/s/' + encodeURIComponent(s.name);
        li.appendChild(a);
        li.appendChild(el('div', 'meta', ago(s.lastUsed) + ' \\u00b7 ' + s.discoveries + ' discoveries \\u00b7 ' + s.artifacts + ' artifacts' + (s.location !== 'local' ? ' \\u00b7 on ' + s.location : '')));
        if (s.objective) li.appendChild(el('div', '', s.objective));
        ol.appendChild(li);
      });
      if (!sessions.length) ol.appendChild(el('li', 'meta', 'No sessions yet.'));
    }).catch(function (e) { $('sessions').textContent = 'Could not load sessions: ' + e.message; });
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
    $('where').textContent = name;
    $('list').hidden = true;
    $('timeline').hidden = false;
    $('events').textContent = '';
    $('objective').textContent = '';
    getJSON('/api/sessions/' + encodeURIComponent(name)).then(function (s) {
      if (current === name) $('objective').textContent = s.objective || '';
    }).catch(function () {});
    var backlog = true;
    source = new EventSource('/api/sessions/' + encodeURIComponent(name) + '/events');
    source.addEventListener('reset', function () { $('events').textContent = ''; backlog = true; });
    source.addEventListener('ready', function () { backlog = false; });
    source.addEventListener('timeline', function (m) { addEvent(JSON.parse(m.data), !backlog); });
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
    if (m) showSession(decodeURIComponent(m[1]));
    else showList();
  }
  $('search').addEventListener('submit', function (e) { e.preventDefault(); search($('q').value.trim()); });
  window.addEventListener('hashchange', route);
  route();
})();
`;
