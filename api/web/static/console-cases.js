// Console pages for cases (issue #7): segnalazioni, requests, applications with the live
// assessment preview, the waiting list. Fills the server-rendered shells from the JSON API.
// Citizen text is always placed with textContent (never innerHTML).
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('console-data').textContent);
  var C = data.cases;
  if (!C) return;
  var S = data.strings;
  var lang = data.locale;
  var comuneNames = {};
  C.comuni.forEach(function (c) { comuneNames[c.id] = c.name; });

  function t(key, params) {
    var s = S['consoleCases:' + key] || S[key] || key;
    if (params) Object.keys(params).forEach(function (k) { s = s.split('{{' + k + '}}').join(String(params[k])); });
    return s;
  }
  function $(id) { return document.getElementById(id); }
  /** A recorded code in words ("not_seen" → "non si vede da giorni"), or the code when it has none. */
  function label(group, code) { var key = 'js.' + group + '.' + code; var s = t(key); return s === key ? code : s; }
  var problemsOf = function (s) { return (s.problems || []).map(function (p) { return label('problem', p); }).join(', '); };
  /** "2A · Igiene intima a letto", or the family's name for a bare family ("2"), or the code as recorded. */
  function serviceName(code) {
    var c = String(code).toUpperCase();
    var name = S['services:' + c] || S['services:family.' + c];
    return name ? c + ' · ' + name : c;
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function when(iso) {
    if (!iso) return '';
    return new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'it-IT', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Rome' });
  }
  function day(isoDate) {
    if (!isoDate) return '';
    var p = isoDate.slice(0, 10).split('-');
    return p[2] + '/' + p[1] + '/' + p[0];
  }
  function comune(id) { return id ? (comuneNames[id] || id) : t('js.noComune'); }
  function yesNo(v) { return v === true ? t('js.yes') : v === false ? t('js.no') : t('js.unknown'); }
  function api(method, url, body) {
    var init = { method: method, credentials: 'same-origin', headers: { accept: 'application/json', 'accept-language': lang } };
    if (body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(url, init).then(function (res) {
      if (res.status === 401) { location.href = '/staff/login?lang=' + lang + '&next=' + encodeURIComponent(location.pathname); throw new Error('401'); }
      if (res.status === 204) return { status: 204, body: null };
      return res.json().then(function (b) { return { status: res.status, body: b }; }, function () { return { status: res.status, body: null }; });
    });
  }
  var notice = $('notice');
  function say(text) { if (notice) notice.textContent = text; }
  function message(r) { return (r.body && r.body.error && r.body.error.message) || String(r.status); }

  // Field-level errors: the API's error.fields next to each field (aria-invalid, aria-describedby).
  function clearErrors(form) {
    form.querySelectorAll('[aria-invalid]').forEach(function (x) { x.removeAttribute('aria-invalid'); });
    form.querySelectorAll('.error').forEach(function (x) { x.hidden = true; x.textContent = ''; });
  }
  function showErrors(form, r, map) {
    var fields = (r.body && r.body.error && r.body.error.fields) || {};
    var shown = false;
    Object.keys(fields).forEach(function (name) {
      var id = (map && map[name]) || name;
      var slot = $(id + '-error');
      if (!slot) return;
      slot.textContent = fields[name];
      slot.hidden = false;
      var input = $(id);
      if (input) input.setAttribute('aria-invalid', 'true');
      if (!shown && input && input.focus) input.focus();
      shown = true;
    });
    say(shown ? t('js.fixFields') : t('js.failed', { message: message(r) }));
  }
  function ok(r) { return r.status >= 200 && r.status < 300; }
  function informedText(r) { return r.body && r.body.informed ? t('js.informed') : t('js.notInformed'); }

  // ── Lists with filters (segnalazioni, requests, applications) ──
  function listPage(opts) {
    var form = $('filters');
    var list = $('list');
    var more = $('more');
    var csv = $('csv');
    var cursor = null;
    function query() {
      var q = [];
      if (form.comuneId.value) q.push('comuneId=' + encodeURIComponent(form.comuneId.value));
      if (form.status.value) q.push('status=' + encodeURIComponent(form.status.value));
      if (form.overdue && form.overdue.checked) q.push('overdue=true');
      return q;
    }
    function load(append) {
      var q = query();
      csv.href = csv.getAttribute('data-base') + (form.comuneId.value ? '?comuneId=' + encodeURIComponent(form.comuneId.value) : '');
      api('GET', opts.url + '?' + q.concat(opts.page(cursor)).join('&')).then(function (r) {
        if (r.status !== 200) { say(t('js.loadFailed')); return; }
        if (!append) list.replaceChildren();
        var rows = opts.rows(r.body);
        if (!append && rows.length === 0) list.appendChild(el(opts.emptyTag || 'li', { class: 'empty' }, t('js.empty')));
        rows.forEach(function (row) { list.appendChild(opts.render(row)); });
        cursor = opts.next(r.body, rows);
        more.hidden = cursor === null;
        say('');
      });
    }
    form.addEventListener('submit', function (ev) { ev.preventDefault(); cursor = null; load(false); });
    more.addEventListener('click', function () { load(true); });
    load(false);
  }
  function pageBefore(limit) {
    return {
      page: function (cursor) { return ['limit=' + limit].concat(cursor ? ['before=' + encodeURIComponent(cursor)] : []); },
      next: function (body, rows) { return rows.length === limit ? rows[rows.length - 1].createdAt : null; },
    };
  }

  if (data.page === 'segnalazioni') {
    var pb = pageBefore(50);
    listPage({
      url: '/api/v1/segnalazioni', page: pb.page, next: pb.next,
      rows: function (b) { return b.segnalazioni; },
      render: function (s) {
        var li = el('li', { class: 'item' + (s.immediateRisk || s.urgency === 'immediate' ? ' urgent' : s.urgency === 'high' ? ' high' : '') });
        var head = el('p', { class: 'head' });
        if (s.immediateRisk || s.urgency === 'immediate') head.appendChild(el('strong', { class: 'badge' }, t('js.immediate')));
        head.appendChild(el('a', { href: '/staff/segnalazioni/' + s.id + '?lang=' + lang }, s.reference));
        li.appendChild(head);
        li.appendChild(el('p', { class: 'meta' }, [t('js.urgencyHead') + ': ' + t('js.urgency.' + s.urgency), t('js.segStatus.' + s.status), comune(s.comuneId), when(s.createdAt)].join(' · ')));
        if (s.problems && s.problems.length) li.appendChild(el('p', { class: 'meta' }, t('js.problemsHead') + ': ' + problemsOf(s)));
        return li;
      },
    });
  }

  if (data.page === 'requests') {
    var pr = pageBefore(50);
    listPage({
      url: '/api/v1/help-requests', page: pr.page, next: pr.next,
      rows: function (b) { return b.helpRequests; },
      render: function (h) {
        var li = el('li', { class: 'item' + (h.status === 'new' ? ' high' : '') });
        var head = el('p', { class: 'head' });
        head.appendChild(el('a', { href: '/staff/requests/' + h.id + '?lang=' + lang }, h.reference));
        li.appendChild(head);
        li.appendChild(el('p', { class: 'meta' }, [t('js.reqStatus.' + h.status), t('js.kind.' + h.kind), h.service ? t('js.serviceHead') + ' ' + serviceName(h.service) : '', comune(h.comuneId), when(h.createdAt)].filter(Boolean).join(' · ')));
        if (h.requestedText) li.appendChild(el('p', { class: 'meta' }, h.requestedText));
        return li;
      },
    });
  }

  if (data.page === 'applications') {
    var limit = 100;
    listPage({
      url: '/api/v1/applications', emptyTag: 'tr',
      page: function (offset) { return ['limit=' + limit, 'offset=' + (offset || 0)]; },
      next: function (b) { return b.nextOffset; },
      rows: function (b) { return b.applications; },
      render: function (a) {
        var tr = el('tr', { class: a.overdue ? 'overdue' : '' });
        var name = el('td');
        name.appendChild(el('a', { href: '/staff/applications/' + a.id + '?lang=' + lang }, a.personName || a.id.slice(0, 8)));
        tr.appendChild(name);
        tr.appendChild(el('td', null, comune(a.comuneId)));
        tr.appendChild(el('td', null, day(a.applicationDate)));
        tr.appendChild(el('td', null, t('applications:status.' + a.status)));
        tr.appendChild(el('td', null, a.totalPoints === null ? t('js.notAssessed') : a.totalPoints));
        var due = el('td');
        if (a.answerSentOn) due.textContent = t('js.answered', { date: day(a.answerSentOn) });
        else if (a.overdue) { due.appendChild(el('strong', { class: 'badge' }, t('js.overdue', { date: day(a.dueDate) }))); }
        else due.textContent = t('js.due', { date: day(a.dueDate), days: a.daysLeft });
        tr.appendChild(due);
        return tr;
      },
    });
  }

  // ── One segnalazione ──
  if (data.page === 'segnalazione') {
    var sid = C.id;
    var loadSeg = function () {
      return api('GET', '/api/v1/segnalazioni/' + sid).then(function (r) {
        if (r.status !== 200) { say(t('js.loadFailed')); return null; }
        var s = r.body.segnalazione;
        $('record').hidden = false;
        $('d-reference').textContent = s.reference;
        $('d-status').textContent = t('js.segStatus.' + s.status);
        $('d-urgency').textContent = t('js.urgency.' + s.urgency);
        $('d-comune').textContent = comune(s.comuneId);
        $('d-created').textContent = when(s.createdAt);
        $('d-reporter').textContent = [s.reporterName, s.reporterRole && label('role', s.reporterRole)].filter(Boolean).join(', ') || t('js.unknown');
        $('d-subject').textContent = s.subjectName || t('js.unknown');
        $('d-address').textContent = s.subjectAddress || t('js.unknown');
        $('d-problems').textContent = problemsOf(s) || t('js.unknown');
        $('d-livesAlone').textContent = yesNo(s.livesAlone);
        $('d-personAware').textContent = yesNo(s.personAware);
        $('d-consent').textContent = yesNo(s.consentToContact);
        var appCell = $('d-application');
        appCell.replaceChildren();
        if (s.applicationId) appCell.appendChild(el('a', { href: '/staff/applications/' + s.applicationId + '?lang=' + lang }, t('js.open')));
        else appCell.textContent = t('js.unknown');
        $('d-details').textContent = s.details || '';
        $('urgency').value = s.urgency;
        if (s.comuneId) $('comuneId').value = s.comuneId;
        $('take').hidden = s.status !== 'received';
        $('close').hidden = s.status === 'closed';
        var apply = $('apply-section');
        if (apply) apply.hidden = !!s.applicationId || s.status === 'closed';
        if ($('q') && !$('q').value && s.subjectName) $('q').value = s.subjectName;
        return s;
      });
    };
    loadSeg();
    var triage = $('triage');
    triage.addEventListener('submit', function (ev) {
      ev.preventDefault();
      clearErrors(triage);
      api('PATCH', '/api/v1/segnalazioni/' + sid + '/triage', { urgency: triage.urgency.value, comuneId: triage.comuneId.value }).then(function (r) {
        if (ok(r)) { say(t('js.saved')); loadSeg(); } else showErrors(triage, r);
      });
    });
    var setStatus = function (status) {
      api('POST', '/api/v1/segnalazioni/' + sid + '/status', { status: status }).then(function (r) {
        if (ok(r)) { say(informedText(r)); loadSeg(); } else say(t('js.failed', { message: message(r) }));
      });
    };
    $('take').addEventListener('click', function () { setStatus('taken_in_charge'); });
    $('close').addEventListener('click', function () { setStatus('closed'); });
    var search = $('search');
    if (search) {
      var people = $('personId');
      var find = function () {
        var url = '/api/v1/people?limit=50&q=' + encodeURIComponent(search.q.value.trim());
        if ($('comuneId').value) url += '&comuneId=' + encodeURIComponent($('comuneId').value);
        api('GET', url).then(function (r) {
          people.replaceChildren();
          if (r.status !== 200) { say(t('js.failed', { message: message(r) })); return; }
          if (r.body.people.length === 0) people.appendChild(el('option', { value: '' }, t('js.noPeople')));
          r.body.people.forEach(function (p) {
            people.appendChild(el('option', { value: p.id }, [p.familyName, p.givenName].filter(Boolean).join(' ') + (p.birthDate ? ' (' + day(p.birthDate) + ')' : '') + ' · ' + comune(p.comuneId)));
          });
        });
      };
      search.addEventListener('submit', function (ev) { ev.preventDefault(); find(); });
      var applyForm = $('apply');
      applyForm.addEventListener('submit', function (ev) {
        ev.preventDefault();
        clearErrors(applyForm);
        if (!people.value) { showErrors(applyForm, { status: 400, body: { error: { fields: { personId: t('js.choosePerson') } } } }); return; }
        api('POST', '/api/v1/segnalazioni/' + sid + '/application', { personId: people.value }).then(function (r) {
          if (ok(r)) { say(informedText(r)); loadSeg(); } else showErrors(applyForm, r);
        });
      });
    }
  }

  // ── One help request ──
  if (data.page === 'request') {
    var rid = C.id;
    var request = null;
    var resources = {};
    var confirmForm = $('confirm');
    var loadReq = function () {
      return api('GET', '/api/v1/help-requests/' + rid).then(function (r) {
        if (r.status !== 200) { say(t('js.loadFailed')); return null; }
        var h = r.body.helpRequest;
        request = h;
        $('record').hidden = false;
        $('d-reference').textContent = h.reference;
        $('d-status').textContent = t('js.reqStatus.' + h.status);
        $('d-kind').textContent = t('js.kind.' + h.kind);
        $('d-service').textContent = h.service ? serviceName(h.service) : t('js.unknown');
        $('d-created').textContent = when(h.createdAt);
        $('d-comune').textContent = comune(h.comuneId);
        $('d-requested').textContent = [h.requestedStart ? when(h.requestedStart) : '', h.requestedText || ''].filter(Boolean).join(' · ') || t('js.unknown');
        $('d-resource').textContent = h.resourceId ? (resources[h.resourceId] || h.resourceId) : t('js.unknown');
        var closed = h.status === 'done' || h.status === 'cancelled';
        $('take').hidden = h.assignedStaffId !== null || closed;
        $('done').hidden = closed;
        $('cancel').hidden = closed;
        confirmForm.hidden = closed;
        return h;
      });
    };
    loadReq().then(function (h) {
      if (!h) return;
      var q = [];
      if (h.comuneId) q.push('comune=' + encodeURIComponent(h.comuneId));
      // The server matches the service as the confirmation does (any case, a bare family too).
      if (h.service) q.push('service=' + encodeURIComponent(h.service));
      q.push('active=true');
      api('GET', '/api/v1/resources?' + q.join('&')).then(function (r) {
        var sel = $('resourceId');
        sel.replaceChildren();
        var offering = r.status !== 200 ? [] : r.body.resources;
        if (offering.length === 0) { sel.appendChild(el('option', { value: '' }, t('js.noResources'))); return; }
        offering.forEach(function (x) {
          resources[x.id] = x.name;
          sel.appendChild(el('option', { value: x.id }, x.name + ' · ' + t('js.resourceKind.' + x.kind)));
        });
        if (h.resourceId) { sel.value = h.resourceId; $('d-resource').textContent = resources[h.resourceId] || h.resourceId; }
      });
      if (h.requestedStart) {
        var d = new Date(h.requestedStart);
        var parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hour12: false }).formatToParts(d);
        var get = function (k) { return (parts.filter(function (p) { return p.type === k; })[0] || {}).value; };
        $('date').value = get('year') + '-' + get('month') + '-' + get('day');
        var hh = get('hour') + ':00';
        if ([].some.call($('time').options, function (o) { return o.value === hh; })) $('time').value = hh;
      }
      check();
    });
    var startOf = function () { return $('date').value ? $('date').value + 'T' + $('time').value : ''; };
    // Live art. 8 check by the server with the person's own record (Sunday only for people
    // alone), the same check the confirmation applies. The old answer stays until the new one
    // arrives and an unchanged input is not asked again: emptying the list on the "change" that
    // leaving a field fires moved the confirm button under the pointer and lost the click.
    var checkSeq = 0;
    var lastChecked = null;
    var check = function () {
      var list = $('check');
      var key = startOf() + '|' + $('hours').value;
      if (key === lastChecked) return;
      lastChecked = key;
      var mine = ++checkSeq;
      if (!startOf()) { list.replaceChildren(); return; }
      api('POST', '/api/v1/help-requests/' + rid + '/check', { start: startOf(), hours: Number($('hours').value) }).then(function (r) {
        if (mine !== checkSeq) return; // a late answer must not overwrite a newer one
        list.replaceChildren();
        if (r.status === 200) {
          if (r.body.warnings.length === 0) list.appendChild(el('li', { class: 'ok' }, t('js.checkOk')));
          r.body.warnings.forEach(function (w) { list.appendChild(el('li', { class: 'warn' }, t('js.checkWarn', { message: w.message || w.name || w.date }))); });
        } else {
          var fields = (r.body && r.body.error && r.body.error.fields) || {};
          var keys = Object.keys(fields);
          if (keys.length === 0) list.appendChild(el('li', { class: 'bad' }, message(r)));
          keys.forEach(function (k) { list.appendChild(el('li', { class: 'bad' }, fields[k])); });
        }
      });
    };
    ['date', 'time', 'hours'].forEach(function (id) { $(id).addEventListener('change', check); $(id).addEventListener('input', check); });
    confirmForm.addEventListener('submit', function (ev) {
      ev.preventDefault();
      clearErrors(confirmForm);
      var missing = {};
      if (!$('resourceId').value) missing.resourceId = t('js.required');
      if (!$('date').value) missing.date = t('js.required');
      if (Object.keys(missing).length) { showErrors(confirmForm, { status: 400, body: { error: { fields: missing } } }); return; }
      api('POST', '/api/v1/help-requests/' + rid + '/confirm', { resourceId: $('resourceId').value, start: startOf(), hours: Number($('hours').value) }).then(function (r) {
        if (ok(r)) { say(informedText(r)); loadReq(); } else showErrors(confirmForm, r, { start: 'date' });
      });
    });
    $('take').addEventListener('click', function () {
      api('PATCH', '/api/v1/help-requests/' + rid, { takeInCharge: true }).then(function (r) {
        if (ok(r)) { say(t('js.saved')); loadReq(); } else say(t('js.failed', { message: message(r) }));
      });
    });
    var close = function (status) {
      api('POST', '/api/v1/help-requests/' + rid + '/status', { status: status }).then(function (r) {
        if (ok(r)) { say(informedText(r)); loadReq(); } else say(t('js.failed', { message: message(r) }));
      });
    };
    $('done').addEventListener('click', function () { close('done'); });
    $('cancel').addEventListener('click', function () { close('cancelled'); });
  }

  // ── One application, with the live assessment preview ──
  if (data.page === 'application') {
    var aid = C.id;
    var form = $('assessment');
    var euroToCents = function (v) { return v === '' ? NaN : Math.round(Number(v) * 100); };
    var loadApp = function () {
      return api('GET', '/api/v1/applications/' + aid).then(function (r) {
        if (r.status !== 200) { say(t('js.loadFailed')); return null; }
        var f = r.body;
        var a = f.application;
        $('record').hidden = false;
        $('d-person').textContent = [f.person.givenName, f.person.familyName].filter(Boolean).join(' ');
        $('d-status').textContent = t('applications:status.' + a.status);
        $('d-comune').textContent = comune(a.comuneId);
        $('d-origin').textContent = t('js.origin.' + a.origin);
        $('d-date').textContent = day(a.applicationDate);
        var ist = f.istruttoria;
        $('d-due').textContent = f.answer ? t('js.answered', { date: day(f.answer.sentOn) }) : ist.overdue ? t('js.overdue', { date: day(ist.dueDate) }) : t('js.due', { date: day(ist.dueDate), days: ist.daysLeft });
        $('d-due').className = !f.answer && ist.overdue ? 'late' : '';
        $('d-birth').textContent = day(f.person.birthDate) || t('js.unknown');
        $('d-address').textContent = f.person.address || t('js.unknown');
        $('d-position').textContent = f.waitingList ? t('js.position', { position: f.waitingList.position }) : '—';
        $('d-eligibility').textContent = f.eligibility ? (f.eligibility.eligible ? t('js.eligible') : t('js.notEligible')) : t('js.unknown');
        $('d-isee').textContent = f.isee ? (f.isee.iseeCents / 100).toLocaleString(lang === 'en' ? 'en-GB' : 'it-IT', { style: 'currency', currency: 'EUR' }) + ' (' + f.isee.iseeYear + ')' : t('js.unknown');
        if (f.isee && $('iseeEuro').value === '') { $('iseeEuro').value = String(f.isee.iseeCents / 100); $('iseeYear').value = String(f.isee.iseeYear); }
        var moves = $('moves');
        moves.replaceChildren();
        f.allowedTransitions.forEach(function (to) {
          var b = el('button', { type: 'button', class: 'secondary', 'data-to': to }, t('js.moveTo', { status: t('applications:status.' + to) }));
          b.addEventListener('click', function () { move(to); });
          moves.appendChild(b);
        });
        var latest = f.assessments[f.assessments.length - 1];
        if (latest && latest.items && !form.dataset.filled) {
          form.dataset.filled = '1';
          Object.keys(latest.items).forEach(function (criterion) {
            (latest.items[criterion] || []).forEach(function (level, i) {
              var scale = C.itemScales[criterion][i];
              var sel = scale && $('item-' + criterion + '-' + scale.id);
              if (sel) sel.value = String(level);
            });
          });
        }
        var hist = $('assessments');
        hist.replaceChildren();
        f.assessments.forEach(function (x) { hist.appendChild(el('li', null, t('js.assessmentLine', { at: when(x.createdAt), total: x.totalPoints, autonomy: x.autonomyPoints }))); });
        var history = $('history');
        history.replaceChildren();
        f.statusHistory.forEach(function (h) {
          history.appendChild(el('li', null, t('js.historyLine', { at: when(h.at), from: h.fromStatus ? t('applications:status.' + h.fromStatus) : '—', to: t('applications:status.' + h.toStatus) }) + (h.note ? ' · ' + h.note : '')));
        });
        $('answer-state').textContent = f.answer ? t('js.answered', { date: day(f.answer.sentOn) }) : '';
        preview();
        return f;
      });
    };
    var move = function (to) {
      var tf = $('transition');
      clearErrors(tf);
      var body = { to: to };
      if (tf.note.value.trim()) body.note = tf.note.value.trim();
      api('POST', '/api/v1/applications/' + aid + '/transitions', body).then(function (r) {
        if (ok(r)) { say(t('js.saved')); tf.note.value = ''; loadApp(); } else showErrors(tf, r);
      });
    };
    // The form's answer as the API reads it: item levels, the points they give, the ISEE in cents.
    var assessmentInput = function () {
      var criteria = {};
      var items = {};
      C.criteria.forEach(function (criterion) {
        var levels = C.itemScales[criterion].map(function (scale) { return Number($('item-' + criterion + '-' + scale.id).value); });
        items[criterion] = levels;
        criteria[criterion] = C.itemScales[criterion].reduce(function (sum, scale, i) { return sum + levels[i] * scale.pointsPerLevel; }, 0);
      });
      return { criteria: criteria, items: items, iseeCents: euroToCents($('iseeEuro').value) };
    };
    var errorMap = {};
    C.criteria.forEach(function (c) { errorMap['criteria.' + c] = 'criteria.' + c; });
    errorMap.iseeCents = 'iseeEuro';
    errorMap.iseeYear = 'iseeYear';
    errorMap['specialSituation.reason'] = 'special';
    var seq = 0;
    var preview = function () {
      var input = assessmentInput();
      var mine = ++seq;
      var score = $('score');
      var explain = $('explain');
      if (isNaN(input.iseeCents)) { score.textContent = ''; score.setAttribute('data-total', ''); explain.replaceChildren(); return; }
      api('POST', '/api/v1/assessments/preview', input).then(function (r) {
        if (mine !== seq) return; // an older answer arriving late must not overwrite a newer one
        explain.replaceChildren();
        clearErrors(form);
        if (r.status !== 200) { score.textContent = t('js.previewError'); score.setAttribute('data-total', ''); showErrors(form, r, errorMap); return; }
        score.textContent = t('js.totalLine', { total: r.body.total });
        score.setAttribute('data-total', String(r.body.total));
        Object.keys(r.body.criteria).forEach(function (k) {
          var line = k === 'economic'
            ? t('js.economicLine', { points: r.body.criteria[k], max: C.maxima[k], band: r.body.iseeBand.id })
            : t('js.criterionLine', { points: r.body.criteria[k], max: C.maxima[k] });
          explain.appendChild(el('li', null, t('criteria.' + k) + ': ' + line));
        });
      });
    };
    form.addEventListener('change', preview);
    $('iseeEuro').addEventListener('input', preview);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      clearErrors(form);
      var input = assessmentInput();
      var body = { criteria: input.criteria, items: input.items };
      if ($('iseeEuro').value === '') { showErrors(form, { status: 400, body: { error: { fields: { iseeCents: t('js.required') } } } }, errorMap); return; }
      body.iseeCents = input.iseeCents;
      body.iseeYear = Number($('iseeYear').value);
      if ($('special').value.trim()) body.specialSituation = { reason: $('special').value.trim() };
      api('POST', '/api/v1/applications/' + aid + '/assessments', body).then(function (r) {
        if (ok(r)) { say(t('js.saved')); loadApp(); } else showErrors(form, r, errorMap);
      });
    });
    var iseeForm = $('isee');
    iseeForm.addEventListener('submit', function (ev) {
      ev.preventDefault();
      clearErrors(iseeForm);
      if ($('newIseeEuro').value === '') { showErrors(iseeForm, { status: 400, body: { error: { fields: { newIseeEuro: t('js.required') } } } }); return; }
      api('PUT', '/api/v1/applications/' + aid + '/isee', { iseeCents: euroToCents($('newIseeEuro').value), iseeYear: Number($('newIseeYear').value) }).then(function (r) {
        if (ok(r)) { say(t('js.saved')); $('iseeEuro').value = ''; loadApp(); } else showErrors(iseeForm, r, { iseeCents: 'newIseeEuro', iseeYear: 'newIseeYear' });
      });
    });
    var sent = $('sent');
    sent.addEventListener('submit', function (ev) {
      ev.preventDefault();
      clearErrors(sent);
      if (!sent.sentOn.value) { showErrors(sent, { status: 400, body: { error: { fields: { sentOn: t('js.required') } } } }); return; }
      api('POST', '/api/v1/applications/' + aid + '/written-answer/sent', { sentOn: sent.sentOn.value, via: sent.via.value }).then(function (r) {
        if (ok(r)) { say(t('js.saved')); loadApp(); } else if (r.status === 409) say(t('js.answerNotReady')); else showErrors(sent, r);
      });
    });
    loadApp();
  }

  // ── The waiting list of one comune (keyset pages) ──
  if (data.page === 'waiting-list') {
    var chooser = $('chooser');
    var wlSelect = $('wl-comune');
    var tbody = $('list');
    var moreBtn = $('more');
    var next = null;
    if (C.selected) wlSelect.value = C.selected;
    var loadList = function (append) {
      var id = wlSelect.value;
      if (!id) return;
      var csvLink = $('csv');
      csvLink.href = csvLink.getAttribute('data-base') + '?comuneId=' + encodeURIComponent(id);
      $('wl-caption').textContent = comune(id);
      api('GET', '/api/v1/comuni/' + encodeURIComponent(id) + '/waiting-list?limit=50' + (append && next ? '&cursor=' + encodeURIComponent(next) : '')).then(function (r) {
        if (r.status !== 200) { say(t('js.loadFailed')); return; }
        if (!append) tbody.replaceChildren();
        if (!append && r.body.entries.length === 0) { var tr = el('tr'); tr.appendChild(el('td', { colspan: '5', class: 'empty' }, t('js.empty'))); tbody.appendChild(tr); }
        r.body.entries.forEach(function (e) {
          var tr = el('tr');
          tr.appendChild(el('td', null, t('js.position', { position: e.position })));
          var cell = el('td');
          cell.appendChild(el('a', { href: '/staff/applications/' + e.applicationId + '?lang=' + lang }, e.applicationId.slice(0, 8)));
          tr.appendChild(cell);
          tr.appendChild(el('td', null, day(e.applicationDate)));
          tr.appendChild(el('td', null, e.totalPoints));
          tr.appendChild(el('td', null, e.autonomyPoints));
          tbody.appendChild(tr);
        });
        next = r.body.nextCursor;
        moreBtn.hidden = !next;
        say(next ? '' : t('js.noCursor'));
      });
    };
    chooser.addEventListener('submit', function (ev) { ev.preventDefault(); next = null; loadList(false); });
    moreBtn.addEventListener('click', function () { loadList(true); });
    loadList(false);
  }
})();
