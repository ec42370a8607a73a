// The staff console (issue #7): fills the server-rendered shells from the JSON API and keeps
// them live over server-sent events. Text is always placed with textContent (never innerHTML):
// citizen text is data.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('console-data').textContent);
  var S = data.strings;
  var lang = data.locale;

  function t(key, params) {
    var s = S[key] || key;
    if (params) Object.keys(params).forEach(function (k) { s = s.split('{{' + k + '}}').join(String(params[k])); });
    return s;
  }
  var comuneNames = data.comuneNames || {};
  function comuneName(id) { return id ? comuneNames[id] || id : t('inbox.noComune'); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function time(iso) {
    if (!iso) return '';
    return new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'it-IT', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Rome' });
  }
  function api(method, url, body) {
    var init = { method: method, credentials: 'same-origin', headers: { accept: 'application/json', 'accept-language': lang } };
    if (body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(url, init).then(function (res) {
      if (res.status === 401 && data.page !== 'login') { location.href = '/staff/login?lang=' + lang + '&next=' + encodeURIComponent(location.pathname); throw new Error('401'); }
      if (res.status === 204) return { status: 204, body: null };
      return res.json().then(function (b) { return { status: res.status, body: b }; });
    });
  }
  function errorMessage(r) { return (r.body && r.body.error && r.body.error.message) || String(r.status); }
  function timer(c) {
    if (c.firstResponseAt) return t('inbox.answered', { time: time(c.firstResponseAt) });
    if (!c.firstResponseDueAt) return '';
    var late = new Date(c.firstResponseDueAt).getTime() < Date.now();
    return t(late ? 'inbox.overdue' : 'inbox.due', { time: time(c.firstResponseDueAt) });
  }

  // ── Logout (every page with a session) ──
  var logout = document.getElementById('logout');
  if (logout) logout.addEventListener('click', function () {
    api('POST', '/api/v1/auth/logout').then(function () { location.href = '/staff/login?lang=' + lang; });
  });

  // ── Live updates ──
  function live(onChange) {
    var status = document.getElementById('live');
    var source = new EventSource('/api/v1/inbox/events');
    source.addEventListener('ready', function () { if (status) status.textContent = t('inbox.live'); });
    source.addEventListener('inbox', function (e) { onChange(JSON.parse(e.data)); });
    source.onerror = function () { if (status && source.readyState === EventSource.CLOSED) status.textContent = t('inbox.offline'); };
    return source;
  }
  function debounce(fn, ms) {
    var timerId;
    return function () { clearTimeout(timerId); timerId = setTimeout(fn, ms); };
  }

  // ── Login ──
  if (data.page === 'login') {
    var form = document.getElementById('login');
    var error = document.getElementById('login-error');
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      error.hidden = true;
      api('POST', '/api/v1/auth/login', { username: form.username.value.trim(), password: form.password.value }).then(function (r) {
        if (r.status === 200) { location.href = data.next + (data.next.indexOf('?') < 0 ? '?' : '&') + 'lang=' + lang; return; }
        error.textContent = r.status === 401 ? t('login.failed') : errorMessage(r);
        error.hidden = false;
        form.password.focus();
      }).catch(function () { error.textContent = t('login.error'); error.hidden = false; });
    });
  }

  // ── Inbox ──
  if (data.page === 'inbox') {
    var list = document.getElementById('conversations');
    var render = function () {
      api('GET', '/api/v1/inbox?view=' + data.view).then(function (r) {
        if (r.status !== 200) return;
        list.replaceChildren();
        if (r.body.conversations.length === 0) list.appendChild(el('li', { class: 'empty' }, t('inbox.empty')));
        r.body.conversations.forEach(function (c) {
          var li = el('li', { class: 'item' + (c.urgent ? ' urgent' : ''), 'data-id': c.id });
          var head = el('p', { class: 'head' });
          if (c.urgent) head.appendChild(el('strong', { class: 'badge' }, t('inbox.urgent')));
          var link = el('a', { href: '/staff/conversations/' + c.id + '?lang=' + lang }, (c.preview || t('inbox.noPreview')));
          head.appendChild(link);
          li.appendChild(head);
          var meta = [t('channel.' + c.channel), comuneName(c.comuneId), t('status.' + c.handling),
            c.assignedStaffName ? t('inbox.assignedTo', { name: c.assignedStaffName }) : t('inbox.unassignedLabel'),
            c.handedOverAt ? t('inbox.handedOver', { time: time(c.handedOverAt) }) : ''].filter(Boolean).join(' · ');
          li.appendChild(el('p', { class: 'meta' }, meta));
          var due = timer(c);
          if (due) li.appendChild(el('p', { class: 'timer' + (!c.firstResponseAt && c.firstResponseDueAt && new Date(c.firstResponseDueAt).getTime() < Date.now() ? ' late' : '') }, due));
          list.appendChild(li);
        });
      });
    };
    render();
    live(debounce(render, 150));
  }

  // ── Conversation ──
  if (data.page === 'conversation') {
    var id = data.conversationId;
    var box = document.getElementById('conversation');
    var notice = document.getElementById('notice');
    var messages = document.getElementById('messages');
    var notes = document.getElementById('notes');
    var assignee = document.getElementById('assignee');
    var canned = document.getElementById('canned');
    var cannedTexts = {};
    var lastSeq = 0;
    var say = function (text) { notice.textContent = text; };
    var load = function () {
      return api('GET', '/api/v1/inbox/conversations/' + id).then(function (r) {
        if (r.status !== 200) { box.hidden = true; say(t('conversation.notFound')); return null; }
        var c = r.body.conversation;
        box.hidden = false;
        document.getElementById('d-channel').textContent = t('channel.' + c.channel);
        document.getElementById('d-comune').textContent = comuneName(c.comuneId);
        document.getElementById('d-status').textContent = (c.urgent ? t('inbox.urgent') + ' · ' : '') + t('status.' + c.handling);
        document.getElementById('d-assignee').textContent = c.assignedStaffName || t('inbox.unassignedLabel');
        document.getElementById('d-timer').textContent = timer(c);
        r.body.messages.forEach(function (m) {
          if (m.seq <= lastSeq) return;
          lastSeq = m.seq;
          var li = el('li', { class: 'msg ' + m.author, 'data-seq': String(m.seq) });
          li.appendChild(el('p', { class: 'who' }, (m.author === 'staff' && m.staffName ? m.staffName : t('author.' + m.author)) + ' · ' + t('channel.' + m.channel) + ' · ' + time(m.createdAt)));
          // The chat's opening (/start, a new web session) is stored as an empty system message.
          li.appendChild(el('p', { class: 'text' }, m.text || (m.author === 'system' ? t('conversation.started') : '')));
          messages.appendChild(li);
        });
        notes.replaceChildren();
        if (r.body.notes.length === 0) notes.appendChild(el('li', { class: 'empty' }, t('conversation.noNotes')));
        r.body.notes.forEach(function (n) {
          var li = el('li');
          li.appendChild(el('p', { class: 'who' }, n.staffName + ' · ' + time(n.createdAt)));
          li.appendChild(el('p', { class: 'text' }, n.text));
          notes.appendChild(li);
        });
        var chosen = assignee.value;
        assignee.replaceChildren();
        r.body.assignees.forEach(function (a) {
          if (a.id === data.staff.id) return;
          assignee.appendChild(el('option', { value: a.id }, a.displayName));
        });
        if (chosen) assignee.value = chosen;
        return c;
      });
    };
    load().then(function (c) {
      if (!c) return;
      api('GET', '/api/v1/inbox/canned-replies' + (c.comuneId ? '?comune=' + encodeURIComponent(c.comuneId) : '')).then(function (r) {
        if (r.status !== 200) return;
        if (r.body.cannedReplies.length === 0) canned.appendChild(el('option', { value: '' }, t('conversation.cannedNone')));
        r.body.cannedReplies.forEach(function (x) { cannedTexts[x.id] = x.text; canned.appendChild(el('option', { value: x.id }, x.title)); });
      });
      live(debounce(function () { load(); }, 100));
    });
    document.getElementById('canned-insert').addEventListener('click', function () {
      var text = cannedTexts[canned.value];
      if (text) { var area = document.getElementById('reply-text'); area.value = area.value ? area.value + '\n' + text : text; area.focus(); }
    });
    var action = function (url, body, okText) {
      return api('POST', url, body).then(function (r) {
        if (r.status >= 200 && r.status < 300) { say(okText || t('conversation.done')); load(); return true; }
        say(t('conversation.failed', { message: errorMessage(r) }));
        return false;
      });
    };
    var textForm = function (formId, areaId, errorId, url, okText) {
      document.getElementById(formId).addEventListener('submit', function (ev) {
        ev.preventDefault();
        var area = document.getElementById(areaId);
        var error = document.getElementById(errorId);
        error.hidden = true;
        area.removeAttribute('aria-invalid');
        if (!area.value.trim()) { error.textContent = t('conversation.required'); error.hidden = false; area.setAttribute('aria-invalid', 'true'); area.focus(); return; }
        action(url, { text: area.value }, okText).then(function (ok) { if (ok) area.value = ''; });
      });
    };
    textForm('reply', 'reply-text', 'reply-error', '/api/v1/inbox/conversations/' + id + '/reply', t('conversation.sent'));
    textForm('note', 'note-text', 'note-error', '/api/v1/inbox/conversations/' + id + '/notes');
    document.getElementById('assign-self').addEventListener('click', function () { action('/api/v1/inbox/conversations/' + id + '/assign', {}); });
    // What is written in the note goes with the resolution (an unanswered emergency needs it).
    document.getElementById('resolve').addEventListener('click', function () {
      var area = document.getElementById('note-text');
      var reason = area.value.trim();
      api('POST', '/api/v1/inbox/conversations/' + id + '/resolve', reason ? { reason: reason } : {}).then(function (r) {
        if (r.status === 200) { area.value = ''; say(t('conversation.done')); load(); return; }
        var field = r.body && r.body.error && r.body.error.fields && r.body.error.fields.reason;
        if (field) { var error = document.getElementById('note-error'); error.textContent = field; error.hidden = false; area.setAttribute('aria-invalid', 'true'); area.focus(); }
        say(t('conversation.failed', { message: field || errorMessage(r) }));
      });
    });
    document.getElementById('hand-back').addEventListener('click', function () { action('/api/v1/inbox/conversations/' + id + '/hand-back'); });
    document.getElementById('assign').addEventListener('submit', function (ev) {
      ev.preventDefault();
      if (assignee.value) action('/api/v1/inbox/conversations/' + id + '/assign', { staffId: assignee.value });
    });
  }
})();
