// The citizen's web chat: keeps the session in localStorage so a reload continues the
// conversation; shows messages ordered by seq and drops duplicates (POST answers and the
// server-sent events can carry the same message). Every message carries a clientMessageId that
// its retries reuse, so a message the server stored before failing is never stored twice.
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('strings').textContent);
  var S = config.strings;
  var KEY = 'centrale.webchat';
  var list = document.getElementById('messages');
  var statusEl = document.getElementById('status');
  var form = document.getElementById('composer');
  var textEl = document.getElementById('text');
  var session = null;
  var lastSeq = 0;
  var seen = {};
  var events = null;
  // Ids of messages not yet accepted, by content: sending the same again after a failure is a
  // retry of that message (the server may have stored it), not a new one.
  var unsent = {};
  var outbox = Promise.resolve();
  var RETRY_DELAYS_MS = [1000, 2000, 4000, 8000];

  function setStatus(text) { statusEl.textContent = text || ''; }

  function api(method, path, body) {
    var headers = { 'Accept-Language': config.locale };
    if (session) headers.Authorization = 'Bearer ' + session.token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (data) {
          if (!res.ok) { var err = new Error('HTTP ' + res.status); err.status = res.status; throw err; }
          return data;
        });
      });
  }

  function disableOldOptions() {
    var buttons = list.querySelectorAll('.options button');
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
  }

  function addMessage(m) {
    if (seen[m.seq]) return;
    seen[m.seq] = true;
    if (m.seq > lastSeq) lastSeq = m.seq;
    var li = document.createElement('li');
    li.className = m.direction === 'in' ? 'in' : 'out';
    if (m.author === 'staff') li.className += ' staff';
    li.dataset.seq = String(m.seq);
    var who = document.createElement('span');
    who.className = 'who';
    who.textContent = m.direction === 'in' ? S.you : m.author === 'staff' ? S.operator : S.centrale;
    li.appendChild(who);
    li.appendChild(document.createTextNode(m.text)); // text, never HTML
    if (m.options && m.options.length) {
      disableOldOptions();
      var group = document.createElement('div');
      // Long lists (the comuni) go in two columns so the page stays short.
      group.className = m.options.length > 6 ? 'options many' : 'options';
      group.setAttribute('role', 'group');
      group.setAttribute('aria-label', S.choices);
      m.options.forEach(function (o) {
        var b = document.createElement('button');
        b.type = 'button';
        b.textContent = o.label;
        b.addEventListener('click', function () { disableOldOptions(); send({ option: o.id }); });
        group.appendChild(b);
      });
      li.appendChild(group);
    } else if (m.direction === 'in') {
      disableOldOptions();
    }
    // Keep seq order even when events and answers arrive interleaved.
    var after = null;
    for (var i = list.children.length - 1; i >= 0; i--) {
      if (Number(list.children[i].dataset.seq) < m.seq) { after = list.children[i]; break; }
    }
    if (after) after.after(li); else list.prepend(li);
    li.scrollIntoView({ block: 'end' });
  }

  function refresh() {
    return api('GET', '/chat/web/sessions/' + session.sessionId + '/messages').then(function (data) {
      data.messages.forEach(addMessage);
    });
  }

  function listen() {
    if (events) events.close();
    events = new EventSource('/chat/web/sessions/' + session.sessionId + '/events?after=' + lastSeq);
    events.addEventListener('message', function (e) { setStatus(''); addMessage(JSON.parse(e.data)); });
    events.onopen = function () { setStatus(''); };
    events.onerror = function () { setStatus(S.offline); };
  }

  function newId() {
    var bytes = new Uint8Array(16);
    // getRandomValues works on plain http too, unlike crypto.randomUUID.
    if (window.crypto && window.crypto.getRandomValues) window.crypto.getRandomValues(bytes);
    else for (var i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    var hex = '';
    for (var j = 0; j < bytes.length; j++) hex += (bytes[j] < 16 ? '0' : '') + bytes[j].toString(16);
    return hex;
  }

  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  // No answer or a server error (5xx) may follow a stored message: send again, same id.
  function retriable(err) { return !err.status || err.status >= 500; }

  function post(path, body, attempt) {
    return api('POST', path, body).catch(function (err) {
      if (!retriable(err) || attempt >= RETRY_DELAYS_MS.length) throw err;
      setStatus(S.connecting);
      return wait(RETRY_DELAYS_MS[attempt]).then(function () { return post(path, body, attempt + 1); });
    });
  }

  function reofferOptions() {
    var groups = list.querySelectorAll('.options');
    var last = groups[groups.length - 1];
    if (!last) return;
    var buttons = last.querySelectorAll('button');
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = false;
  }

  function send(body) {
    var key = JSON.stringify(body);
    var id = unsent[key] || (unsent[key] = newId());
    var path = '/chat/web/sessions/' + session.sessionId + '/messages';
    var message = { clientMessageId: id };
    if (body.text !== undefined) message.text = body.text; else message.option = body.option;
    // One message at a time, in the order written, even while one is being retried.
    outbox = outbox.then(function () {
      setStatus('');
      return post(path, message, 0).then(
        function () {
          delete unsent[key];
          setStatus('');
          // Accepted: a failed reload only delays the answer (the events stream brings it too).
          return refresh().catch(function () { setStatus(S.offline); });
        },
        function () {
          setStatus(S.sendFailed);
          // What could not be sent stays at hand: pressing Invia or the choice again retries it.
          if (body.text !== undefined && !textEl.value) textEl.value = body.text;
          else if (body.option !== undefined) reofferOptions();
        }
      );
    });
    return outbox;
  }

  function start() {
    var stored = null;
    try { stored = JSON.parse(localStorage.getItem(KEY) || 'null'); } catch (e) { stored = null; }
    var ready = stored && stored.sessionId && stored.token
      ? (session = stored, refresh().catch(function (err) { if (err.status === 404 || err.status === 401) return create(); throw err; }))
      : create();
    ready.then(function () { setStatus(''); listen(); textEl.focus(); }).catch(function () { setStatus(S.offline); });
  }

  function create() {
    session = null;
    return api('POST', '/chat/web/sessions', { locale: config.locale }).then(function (data) {
      session = { sessionId: data.sessionId, token: data.token };
      try { localStorage.setItem(KEY, JSON.stringify(session)); } catch (e) { /* private mode: no resume */ }
      list.textContent = ''; seen = {}; lastSeq = 0;
      return refresh();
    });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = textEl.value.trim();
    if (!text || !session) return;
    textEl.value = '';
    send({ text: text });
  });
  textEl.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  document.getElementById('restart').addEventListener('click', function () {
    try { localStorage.removeItem(KEY); } catch (e) { /* ignore */ }
    if (events) events.close();
    create().then(listen);
  });
  start();
})();
