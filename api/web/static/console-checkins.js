// Today's check-ins (issue #9): fills the shell from GET /api/v1/checkins/today and records the
// custode's one-click follow-up. Names are placed with textContent, never innerHTML.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('console-data').textContent);
  if (data.page !== 'checkins') return;
  var S = data.strings;
  var lang = data.locale;
  var list = document.getElementById('checkins-list');
  var summary = document.getElementById('checkins-summary');
  var notice = document.getElementById('checkins-notice');
  var BUCKETS = ['help', 'no_answer', 'waiting', 'scheduled', 'answered', 'skipped'];

  function t(key, params) {
    var s = S['checkins:page' + '.' + key] || key;
    if (params) Object.keys(params).forEach(function (k) { s = s.split('{{' + k + '}}').join(String(params[k])); });
    return s;
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function hm(iso) {
    return iso ? new Date(iso).toLocaleTimeString(lang === 'en' ? 'en-GB' : 'it-IT', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Rome' }) : '';
  }
  function api(method, url, body) {
    var init = { method: method, credentials: 'same-origin', headers: { accept: 'application/json', 'accept-language': lang } };
    if (body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(url, init).then(function (res) {
      if (res.status === 401) { location.href = '/staff/login?lang=' + lang + '&next=' + encodeURIComponent(location.pathname); throw new Error('401'); }
      return res.json().then(function (b) { return { status: res.status, body: b }; });
    });
  }

  function stateText(c) {
    var s = t('bucket.' + c.bucket);
    if (c.status === 'call' || c.status === 'help' || c.status === 'missed' || c.status === 'reprompted') s = t('status.' + c.status);
    if (c.bucket === 'skipped' && c.skipReason) s += ' (' + t('skip.' + c.skipReason) + ')';
    return s;
  }

  function followUp(c, action, button) {
    button.disabled = true;
    api('POST', '/api/v1/checkins/occurrences/' + encodeURIComponent(c.occurrenceId) + '/follow-up', { action: action }).then(function (r) {
      if (r.status !== 200) { notice.textContent = (r.body && r.body.error && r.body.error.message) || t('actionFailed'); button.disabled = false; return; }
      notice.textContent = t('done');
      load();
    }).catch(function () { notice.textContent = t('actionFailed'); button.disabled = false; });
  }

  function item(c) {
    var li = el('li', { class: 'card checkin checkin-' + c.bucket, 'data-occurrence': c.occurrenceId || '', 'data-bucket': c.bucket });
    var head = el('h2', { class: 'checkin-name' });
    head.textContent = [c.givenName, c.familyName].filter(Boolean).join(' ');
    li.appendChild(head);
    var dl = el('dl', { class: 'details' });
    var add = function (label, value) { dl.appendChild(el('dt', null, label)); dl.appendChild(el('dd', null, value)); };
    add(t('columns.comune'), c.comuneName || c.comuneId);
    add(t('columns.time'), hm(c.dueAt));
    var state = stateText(c);
    if (c.status === 'no_answer' && c.promptedAt) state = t('since', { time: hm(c.promptedAt) });
    if (c.answeredAt) state += ' — ' + t('answeredAt', { time: hm(c.answeredAt) });
    add(t('columns.state'), state);
    if (c.followUp) add(t('columns.actions'), t('followedUp', { what: t('followUpKind.' + c.followUp), time: hm(c.followUpAt) }));
    li.appendChild(dl);
    if (c.openTasks > 0) li.appendChild(el('p', { class: 'checkin-tasks' }, t('tasks', { count: c.openTasks })));
    if (c.occurrenceId && c.bucket !== 'skipped' && c.bucket !== 'scheduled') {
      var row = el('div', { class: 'row wrap checkin-actions' });
      if (c.bucket !== 'answered') {
        var called = el('button', { type: 'button', 'data-action': 'called' }, t('action.called'));
        called.addEventListener('click', function () { followUp(c, 'called', called); });
        row.appendChild(called);
        var task = el('button', { type: 'button', class: 'secondary', 'data-action': 'task' }, t('action.task'));
        task.addEventListener('click', function () { followUp(c, 'task', task); });
        row.appendChild(task);
      }
      if (c.conversationId) row.appendChild(el('a', { href: '/staff/conversations/' + encodeURIComponent(c.conversationId) + '?lang=' + lang, class: 'checkin-link' }, t('action.conversation')));
      li.appendChild(row);
    }
    return li;
  }

  function load() {
    list.setAttribute('aria-busy', 'true');
    return api('GET', '/api/v1/checkins/today').then(function (r) {
      list.textContent = '';
      summary.textContent = '';
      list.setAttribute('aria-busy', 'false');
      if (r.status !== 200) { list.appendChild(el('li', { class: 'empty' }, t('error'))); return; }
      var counts = {};
      r.body.checkins.forEach(function (c) { counts[c.bucket] = (counts[c.bucket] || 0) + 1; });
      BUCKETS.forEach(function (b) {
        var s = el('li', { class: 'checkin-count checkin-' + b, 'data-bucket': b });
        s.appendChild(el('strong', null, String(counts[b] || 0)));
        s.appendChild(document.createTextNode(' ' + t('bucket.' + b)));
        summary.appendChild(s);
      });
      if (r.body.checkins.length === 0) { list.appendChild(el('li', { class: 'empty' }, t('empty'))); return; }
      r.body.checkins.forEach(function (c) { list.appendChild(item(c)); });
    }).catch(function () { list.setAttribute('aria-busy', 'false'); notice.textContent = t('error'); });
  }

  // ── One person's enrolment (?person=<id>, linked from the person's file) ──
  function showError(name, message) {
    var slot = document.getElementById('enrol-' + name + '-error');
    if (!slot) return false;
    slot.textContent = message;
    slot.hidden = false;
    var input = document.getElementById('enrol-' + name);
    if (input) input.setAttribute('aria-invalid', 'true');
    return true;
  }
  function clearErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll('.error'), function (e) { e.hidden = true; e.textContent = ''; });
    Array.prototype.forEach.call(form.querySelectorAll('[aria-invalid]'), function (e) { e.removeAttribute('aria-invalid'); });
  }
  function personSection(personId) {
    var section = document.getElementById('checkin-person');
    var form = document.getElementById('checkin-enrol');
    var current = document.getElementById('checkin-current');
    var base = '/api/v1/people/' + encodeURIComponent(personId);
    var live;
    function refresh() {
      return Promise.all([api('GET', base), api('GET', base + '/checkins')]).then(function (r) {
        if (r[0].status !== 200 || r[1].status !== 200) return;
        var p = r[0].body.person;
        section.hidden = false;
        document.getElementById('checkin-person-title').textContent = t('enrol.title', { name: [p.givenName, p.familyName].filter(Boolean).join(' ') });
        var box = document.getElementById('enrol-delegates');
        box.textContent = '';
        (r[0].body.delegates || []).filter(function (d) { return !d.revokedAt; }).forEach(function (d) {
          var label = el('label', { class: 'checkin-check' });
          label.appendChild(el('input', { type: 'checkbox', name: 'delegate', value: d.person.id }));
          label.appendChild(document.createTextNode(' ' + t('enrol.delegate', { name: [d.person.givenName, d.person.familyName].filter(Boolean).join(' ') })));
          box.appendChild(label);
        });
        live = r[1].body.enrolments.filter(function (e) { return e.status !== 'stopped'; })[0];
        form.hidden = !!live;
        current.hidden = !live;
        if (live) {
          var text = t('enrol.current', { status: t('enrol.status.' + live.status), days: live.weekdays.map(function (d) { return t('enrol.day.' + d); }).join(', '), time: live.windowStart });
          if (live.status === 'paused' && live.pausedUntil) text += ' ' + t('enrol.pausedUntil', { date: live.pausedUntil });
          document.getElementById('checkin-current-text').textContent = text;
          document.getElementById('checkin-pause').hidden = live.status !== 'active';
          document.getElementById('checkin-resume').hidden = live.status !== 'paused';
        }
      });
    }
    function change(body) {
      api('PATCH', '/api/v1/checkins/enrolments/' + encodeURIComponent(live.id), body).then(function (r) {
        notice.textContent = r.status === 200 ? t('done') : ((r.body && r.body.error && r.body.error.message) || t('actionFailed'));
        refresh(); load();
      });
    }
    document.getElementById('checkin-pause').addEventListener('click', function () {
      var until = new Date(Date.now() + 6 * 86400000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Rome' });
      change({ status: 'paused', pausedUntil: until });
    });
    document.getElementById('checkin-resume').addEventListener('click', function () { change({ status: 'active' }); });
    document.getElementById('checkin-stop').addEventListener('click', function () { change({ status: 'stopped' }); });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      clearErrors(form);
      var weekdays = Array.prototype.map.call(form.querySelectorAll('input[name=weekdays]:checked'), function (i) { return Number(i.value); });
      var contacts = [];
      if (document.getElementById('enrol-alertMe').checked && data.staff) contacts.push({ kind: 'staff', staffUserId: data.staff.id });
      Array.prototype.forEach.call(form.querySelectorAll('input[name=delegate]:checked'), function (i) { contacts.push({ kind: 'delegate', personId: i.value }); });
      var body = {
        personId: personId,
        weekdays: weekdays,
        windowStart: form.windowStart.value,
        channel: form.channel.value || null,
        graceMinutes: Number(form.graceMinutes.value),
        onHolidays: document.getElementById('enrol-onHolidays').checked,
        contacts: contacts,
      };
      api('POST', '/api/v1/checkins/enrolments', body).then(function (r) {
        if (r.status === 201) { notice.textContent = t('enrol.saved'); refresh(); load(); return; }
        var err = (r.body && r.body.error) || {};
        var fields = err.fields || {};
        var shown = false;
        Object.keys(fields).forEach(function (k) {
          var name = k.split('.')[0];
          if (showError(name, fields[k])) shown = true;
        });
        var top = document.getElementById('enrol-form-error');
        if (!shown || fields.consentId) { top.textContent = err.message || t('actionFailed'); top.hidden = false; }
        var first = form.querySelector('[aria-invalid=true]');
        if (first) first.focus();
      }).catch(function () { notice.textContent = t('actionFailed'); });
    });
    refresh();
  }
  if (data.personId) personSection(data.personId);

  document.getElementById('checkins-refresh').addEventListener('click', function () { notice.textContent = ''; load(); });
  load();
  // A quiet refresh every minute: the sweep runs every minute too.
  setInterval(load, 60000);
})();
