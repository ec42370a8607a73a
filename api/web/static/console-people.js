// The staff console's people, programmes and provider pages (issue #7): fills the server-rendered
// shells from the JSON API. Every read of a file goes through the API (scope-checked, audited).
// Text is always placed with textContent, never innerHTML: names and notes are data.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('console-data').textContent);
  var S = data.strings;
  var lang = data.locale;
  var NS = 'consolePeople:js.';
  var comuneNames = data.comuneNames || {};

  function t(key, params) {
    var s = S[NS + key] || key;
    if (params) Object.keys(params).forEach(function (k) { s = s.split('{{' + k + '}}').join(String(params[k])); });
    return s;
  }
  function service(code) { return S['services:' + String(code).toUpperCase()] || code; }
  function comune(id) { return (id && comuneNames[id]) || id || ''; }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function locale() { return lang === 'en' ? 'en-GB' : 'it-IT'; }
  function day(iso) {
    if (!iso) return '';
    var parts = String(iso).slice(0, 10).split('-');
    return new Date(Date.UTC(+parts[0], +parts[1] - 1, +parts[2], 12)).toLocaleDateString(locale(), { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  }
  function time(iso) {
    if (!iso) return '';
    return new Date(iso).toLocaleString(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Rome' });
  }
  function hourOnly(iso) { return new Date(iso).toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Rome' }); }
  function euro(cents) { return new Intl.NumberFormat(locale(), { style: 'currency', currency: 'EUR' }).format(cents / 100); }
  function fullName(p) { return [p.givenName, p.familyName].filter(Boolean).join(' '); }
  function yesNo(v) { return v === true ? t('yes') : v === false ? t('no') : t('unknown'); }

  function send(method, url, body) {
    var init = { method: method, credentials: 'same-origin', headers: { accept: 'application/json', 'accept-language': lang } };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(url, init).then(function (res) {
      if (res.status === 401) { location.href = '/staff/login?lang=' + lang + '&next=' + encodeURIComponent(location.pathname); throw new Error('401'); }
      return res.json().then(function (b) { return { status: res.status, body: b }; }, function () { return { status: res.status, body: null }; });
    });
  }
  function get(url) { return send('GET', url); }

  // ── Forms: field-level messages from the API's error.fields, next to the field ──
  // Rule paths the API uses for a field that has another name in the form.
  var ALIASES = { providerId: 'resourceId', from: 'fromDate', to: 'toDate', start: 'startsAt', on: 'evaluatedOn' };
  function clearErrors(form) {
    form.querySelectorAll('[aria-invalid]').forEach(function (e) { e.removeAttribute('aria-invalid'); });
    form.querySelectorAll('p.error').forEach(function (p) { p.hidden = true; p.textContent = ''; });
  }
  function fieldSlot(form, name) {
    var box = form.querySelector('[data-field="' + name + '"]');
    if (!box) return null;
    return { box: box, input: box.querySelector('input:not([type=checkbox]), select, textarea') || box.querySelector('input'), error: box.querySelector('p.error') };
  }
  function showErrors(form, r) {
    var general = document.getElementById(form.id + '-error');
    var err = (r.body && r.body.error) || {};
    var fields = err.fields || {};
    var unplaced = [];
    var first = null;
    Object.keys(fields).forEach(function (path) {
      var parts = path.split('.');
      var candidates = [path, parts[0], parts[parts.length - 1]];
      var slot = null;
      for (var i = 0; i < candidates.length && !slot; i++) slot = fieldSlot(form, candidates[i]) || fieldSlot(form, ALIASES[candidates[i]] || '');
      if (!slot || !slot.error) { unplaced.push(fields[path]); return; }
      slot.error.textContent = fields[path];
      slot.error.hidden = false;
      if (slot.input) { slot.input.setAttribute('aria-invalid', 'true'); if (!first) first = slot.input; }
    });
    if (general) {
      general.textContent = unplaced.length ? unplaced.join(' ') : Object.keys(fields).length ? t('checkFields') : (err.message || t('failed'));
      general.hidden = false;
    }
    if (first) first.focus();
    else if (general) { general.setAttribute('tabindex', '-1'); general.focus(); }
  }
  function fieldMessage(form, name, message) {
    var slot = fieldSlot(form, name);
    if (!slot) return;
    slot.error.textContent = message;
    slot.error.hidden = false;
    if (slot.input) { slot.input.setAttribute('aria-invalid', 'true'); slot.input.focus(); }
  }
  function intOrRaw(v) { return v === '' ? undefined : /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v; }

  function dl(target, rows) {
    target.replaceChildren();
    rows.forEach(function (row) {
      var d = el('div');
      d.appendChild(el('dt', null, row[0]));
      d.appendChild(el('dd', null, row[1] === null || row[1] === undefined || row[1] === '' ? '—' : row[1]));
      target.appendChild(d);
    });
  }
  function list(target, items, render) {
    target.replaceChildren();
    if (!items.length) { target.appendChild(el('li', { class: 'empty' }, t('none'))); return; }
    items.forEach(function (item) { target.appendChild(render(item)); });
  }

  /** Names of people in scope, from the audited search (a provider sees only its people). */
  function peopleNames() {
    var names = {};
    function page(offset) {
      return get('/api/v1/people?limit=200&offset=' + offset).then(function (r) {
        if (r.status !== 200) return names;
        r.body.people.forEach(function (p) { names[p.id] = fullName(p); });
        return r.body.nextOffset !== null && offset < 1000 ? page(r.body.nextOffset) : names;
      });
    }
    return page(0);
  }

  // ── /staff/people ──
  if (data.page === 'people') {
    var search = document.getElementById('search');
    var results = document.getElementById('results');
    var status = document.getElementById('results-status');
    var exportLink = document.getElementById('export');
    var runSearch = function () {
      clearErrors(search);
      var q = search.q.value.trim();
      var comuneId = search.comuneId.value;
      exportLink.href = '/api/v1/exports/people' + (comuneId ? '?comuneId=' + encodeURIComponent(comuneId) : '');
      if (q.length === 1) { fieldMessage(search, 'q', t('queryShort')); return; }
      var params = new URLSearchParams({ limit: '50' });
      // A codice fiscale (16 letters and digits) is looked up exactly; anything else by name.
      if (/^[A-Za-z0-9]{16}$/.test(q)) params.set('codiceFiscale', q); else if (q) params.set('q', q);
      if (comuneId) params.set('comuneId', comuneId);
      status.textContent = t('searching');
      get('/api/v1/people?' + params.toString()).then(function (r) {
        if (r.status !== 200) { status.textContent = ''; showErrors(search, r); return; }
        results.replaceChildren();
        status.textContent = r.body.people.length ? t('results', { count: r.body.people.length }) : t('noResults');
        r.body.people.forEach(function (p) {
          var li = el('li', { class: 'result' });
          li.appendChild(el('a', { href: '/staff/people/' + p.id + '?lang=' + lang }, [p.familyName, p.givenName].filter(Boolean).join(' ')));
          li.appendChild(el('span', { class: 'meta' }, ' · ' + [comune(p.comuneId), p.birthDate ? day(p.birthDate) : ''].filter(Boolean).join(' · ')));
          results.appendChild(li);
        });
      });
    };
    search.addEventListener('submit', function (ev) { ev.preventDefault(); runSearch(); });
    runSearch();

    var create = document.getElementById('new-person');
    create.addEventListener('submit', function (ev) {
      ev.preventDefault();
      clearErrors(create);
      var body = {};
      ['givenName', 'familyName', 'birthDate', 'codiceFiscale', 'phone', 'address', 'comuneId'].forEach(function (k) {
        var v = create[k].value.trim();
        if (v) body[k] = v;
      });
      ['livesAlone', 'familySupport'].forEach(function (k) { if (create[k].value) body[k] = create[k].value === 'true'; });
      // The API checks everything; the three required fields are also flagged here, in one go.
      var missing = ['givenName', 'familyName', 'comuneId'].filter(function (k) { return !body[k]; });
      if (missing.length) {
        var fields = {};
        missing.forEach(function (k) { fields[k] = t('required'); });
        showErrors(create, { body: { error: { fields: fields } } });
        return;
      }
      send('POST', '/api/v1/people', body).then(function (r) {
        if (r.status === 201) { location.href = '/staff/people/' + r.body.person.id + '?lang=' + lang; return; }
        showErrors(create, r);
      });
    });
  }

  // ── /staff/people/:id ──
  if (data.page === 'person') {
    var pid = data.personId;
    var notice = document.getElementById('notice');
    var loadFile = function (first) {
     return get('/api/v1/people/' + pid).then(function (r) {
      if (r.status !== 200) { notice.textContent = t('notFound'); return; }
      var f = r.body;
      var p = f.person;
      // Later loads keep the message of the action that caused them.
      if (first) notice.textContent = '';
      document.getElementById('file').hidden = false;
      document.getElementById('person-name').textContent = fullName(p);
      document.title = fullName(p) + ' — ' + document.title;
      dl(document.getElementById('profile'), [
        [t('codiceFiscale'), p.codiceFiscale], [t('birthDate'), day(p.birthDate)], [t('comune'), comune(p.comuneId)],
        [t('address'), p.address], [t('phone'), p.phone], [t('email'), p.email],
        [t('livesAlone'), yesNo(p.livesAlone)], [t('familySupport'), yesNo(p.familySupport)], [t('preferredChannel'), p.preferredChannel],
      ]);
      var consentText = function (c) {
        var by = c.givenBy ? (S[NS + 'givenBy.' + c.givenBy] || c.givenBy) : '';
        return t('consentLine', { purpose: t('purpose.' + c.purpose), method: t('method.' + c.method), date: day(c.givenAt) }) + (by ? ' · ' + by : '') + (c.withdrawnAt ? ' · ' + t('withdrawn') : '');
      };
      list(document.getElementById('delegates'), f.delegates, function (d) {
        var li = el('li');
        li.appendChild(el('strong', null, fullName(d.person)));
        li.appendChild(el('span', null, ' · ' + [d.relationship, t('kind.' + d.kind), d.person.phone, d.person.email, d.revokedAt ? t('revoked') : ''].filter(Boolean).join(' · ')));
        (d.consents || []).forEach(function (c) { li.appendChild(el('p', { class: 'meta' }, consentText(c))); });
        if (data.full && !d.revokedAt) {
          li.appendChild(actionButton(t('revoke'), fullName(d.person), '/api/v1/people/' + pid + '/delegates/' + d.delegationId + '/revoke', 'delegationRevoked'));
        }
        return li;
      });
      list(document.getElementById('consents'), f.consents || [], function (c) {
        var li = el('li', null, consentText(c));
        if (data.full && !c.withdrawnAt) {
          li.appendChild(document.createTextNode(' '));
          li.appendChild(actionButton(t('withdraw'), t('purpose.' + c.purpose), '/api/v1/people/' + pid + '/consents/' + c.id + '/withdraw', 'consentWithdrawn'));
        }
        return li;
      });
      if (data.full) fillProfile(p);
      list(document.getElementById('channels'), f.channels || [], function (ch) {
        return el('li', null, t('channelLine', { channel: ch.channel, date: day(ch.linkedAt) }) + (ch.addressHint ? ' · ' + ch.addressHint : '') + (ch.reachable ? '' : ' · ' + t('unreachable')));
      });
      if (first && data.full) { loadDocuments(); loadProgrammes(); loadFees(); }
     });
    };
    loadFile(true);

    document.getElementById('link-code').addEventListener('click', function () {
      send('POST', '/api/v1/people/' + pid + '/link-codes').then(function (r) {
        var box = document.getElementById('link-code-box');
        if (r.status !== 201) { notice.textContent = (r.body && r.body.error && r.body.error.message) || t('failed'); return; }
        document.getElementById('link-code-value').textContent = r.body.code;
        document.getElementById('link-code-expiry').textContent = t('codeExpires', { time: time(r.body.expiresAt) });
        box.hidden = false;
      });
    });

    var loadDocuments = function () {
      var target = document.getElementById('documents');
      if (!target) return;
      get('/api/v1/people/' + pid + '/documents').then(function (r) {
        if (r.status !== 200) { target.hidden = true; return; }
        list(target, r.body.documents, function (d) {
          var li = el('li');
          li.appendChild(el('span', null, [d.filename || t('doc.' + d.type), t('doc.' + d.type), day(d.createdAt)].join(' · ') + ' · '));
          li.appendChild(el('a', { href: '/api/v1/documents/' + d.id + '/content' }, t('download')));
          return li;
        });
      });
    };
    var upload = document.getElementById('upload');
    upload.addEventListener('submit', function (ev) {
      ev.preventDefault();
      clearErrors(upload);
      var file = upload.file.files[0];
      if (!file) { fieldMessage(upload, 'file', t('fileRequired')); return; }
      var form = new FormData();
      form.append('file', file);
      form.append('type', upload.type.value);
      send('POST', '/api/v1/people/' + pid + '/documents', form).then(function (r) {
        if (r.status !== 201) { showErrors(upload, r); return; }
        upload.reset();
        notice.textContent = t('uploaded');
        loadDocuments();
      });
    });

    var loadProgrammes = function () {
      var section = document.getElementById('programmes-section');
      var target = document.getElementById('programmes');
      var actions = document.getElementById('programme-actions');
      get('/api/v1/people/' + pid + '/vouchers').then(function (r) {
        var current = r.status === 200 ? r.body : null;
        if (r.status === 403) { section.hidden = true; return; }
        if (current) document.getElementById('vouchers').textContent = t('vouchers', { issued: current.issuedHours, redeemed: current.redeemedHours, balance: current.balanceHours, end: day(current.periodEnd) });
        actions.replaceChildren(el('a', { href: '/staff/programmes/new?personId=' + pid + (current ? '&renew=' + current.programmeId : '') + '&lang=' + lang }, current ? t('renewProgramme') : t('newProgramme')));
        return get('/api/v1/programmes').then(function (all) {
          if (all.status !== 200) return;
          var mine = all.body.programmes.filter(function (x) { return x.personId === pid; });
          fillProgrammeSelect(mine);
          target.replaceChildren();
          if (!mine.length) { target.appendChild(el('p', { class: 'empty' }, t('noProgramme'))); return; }
          mine.forEach(function (x) { renderProgrammeCard(target, x.id); });
        });
      });
    };
    var renderProgrammeCard = function (target, id) {
      var box = el('div', { class: 'programme-box' });
      target.appendChild(box);
      get('/api/v1/programmes/' + id).then(function (r) {
        if (r.status !== 200) return;
        var g = r.body;
        var pr = g.programme;
        var h = el('h3');
        h.appendChild(el('a', { href: '/staff/programmes/' + id + '?lang=' + lang }, t('programmeLine', { period: pr.period, start: day(pr.periodStart), end: day(pr.periodEnd), status: t('status.' + pr.status) })));
        box.appendChild(h);
        box.appendChild(el('p', null, pr.services.map(service).join(', ') + ' · ' + t('balance', { hours: g.balance.balanceHours })));
        var visits = el('ul', { class: 'plain' });
        list(visits, g.visits.slice(-10), function (v) { return el('li', null, time(v.startsAt) + ' · ' + v.hours + ' h · ' + t('visitStatus.' + v.status)); });
        box.appendChild(visits);
        if (g.suspensions.length) {
          var sus = el('ul', { class: 'plain' });
          list(sus, g.suspensions, function (s) { return el('li', null, t('suspensionLine', { from: day(s.fromDate), to: s.toDate ? day(s.toDate) : t('openEnd'), reason: s.reason || '', status: t('suspensionStatus.' + s.status) })); });
          box.appendChild(sus);
        }
        if (g.evaluations.length || g.questionnaires.length) {
          var ev = el('ul', { class: 'plain' });
          g.evaluations.forEach(function (e) { ev.appendChild(el('li', null, t('evaluationLine', { date: day(e.evaluatedOn), outcome: t('outcome.' + e.outcome) }) + (e.notes ? ' · ' + e.notes : ''))); });
          g.questionnaires.forEach(function (q) { ev.appendChild(el('li', null, t('answers', { answers: Object.keys(q.answers).map(function (k) { return k + ': ' + q.answers[k]; }).join('; ') }))); });
          box.appendChild(ev);
        }
        get('/api/v1/programmes/' + id + '/ledger').then(function (l) {
          if (l.status !== 200) return;
          var ul = el('ul', { class: 'plain ledger' });
          list(ul, l.body.entries, function (e) { return el('li', null, t('ledgerLine', { date: day(e.on), kind: t('ledgerKind.' + e.kind), hours: e.hours })); });
          box.appendChild(ul);
        });
      });
    };
    var loadFees = function () {
      var section = document.getElementById('fees-section');
      var target = document.getElementById('fees');
      get('/api/v1/people/' + pid + '/fees').then(function (r) {
        if (r.status === 403) { section.hidden = true; return; }
        if (r.status !== 200) return;
        target.replaceChildren();
        fillStatements(r.body.statements);
        var warning = document.getElementById('fees-warning');
        // Art. 13: with more than three unpaid months the comune may interrupt the service.
        warning.hidden = !r.body.interruptionAllowed;
        warning.textContent = r.body.interruptionAllowed ? t('feesWarning', { count: r.body.unpaidMonths }) : '';
        if (!r.body.statements.length) { target.appendChild(el('p', { class: 'empty' }, t('noFees'))); return; }
        var ul = el('ul', { class: 'plain' });
        r.body.statements.forEach(function (s) {
          ul.appendChild(el('li', null, t('feeLine', { month: s.month, hours: s.redeemedHours, due: euro(s.amountCents), paid: euro(s.paidCents), dueOn: day(s.dueOn) })));
        });
        target.appendChild(ul);
        target.appendChild(el('p', null, t('unpaidMonths', { count: r.body.unpaidMonths })));
      });
    };
    // ── Write forms of the file (admin, social workers): rendered only for them ──
    var nowLocal = function () {
      var d = new Date();
      d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
      return d.toISOString().slice(0, 16);
    };
    var localToIso = function (v) { return v ? new Date(v).toISOString() : ''; };
    var todayIso = function () { return new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Rome' }); };
    var missingFields = function (form, names) {
      var fields = {};
      names.forEach(function (k) { fields[k] = t('required'); });
      showErrors(form, { body: { error: { fields: fields } } });
    };
    /** A button that posts {} to url; its accessible name says what it acts on. */
    var actionButton = function (label, what, url, done) {
      var b = el('button', { type: 'button', class: 'secondary small', 'aria-label': label + ': ' + what }, label);
      b.addEventListener('click', function () {
        b.disabled = true;
        send('POST', url, {}).then(function (r) {
          b.disabled = false;
          notice.textContent = r.status === 200 ? t(done) : (r.body && r.body.error && r.body.error.message) || t('failed');
          if (r.status === 200) loadFile(false);
        });
      });
      return b;
    };
    var profileForm = document.getElementById('profile-edit');
    var fillProfile = function (p) {
      if (!profileForm) return;
      profileForm.phone.value = p.phone || '';
      profileForm.email.value = p.email || '';
      profileForm.address.value = p.address || '';
      profileForm.livesAlone.value = p.livesAlone === null || p.livesAlone === undefined ? '' : String(p.livesAlone);
      profileForm.familySupport.value = p.familySupport === null || p.familySupport === undefined ? '' : String(p.familySupport);
      profileForm.certifiedInvalidity.value = String(Boolean(p.certifiedInvalidity));
      profileForm.preferredChannel.value = p.preferredChannel || '';
    };
    var statementSelect = document.getElementById('payment-statementId');
    var fillStatements = function (statements) {
      if (!statementSelect) return;
      statementSelect.replaceChildren();
      statements.filter(function (s) { return s.paidCents < s.amountCents; }).forEach(function (s) {
        statementSelect.appendChild(el('option', { value: s.id, 'data-due': String(s.amountCents - s.paidCents) }, t('statementOption', { month: s.month, due: euro(s.amountCents), paid: euro(s.paidCents) })));
      });
      if (!statementSelect.children.length) statementSelect.appendChild(el('option', { value: '' }, t('none')));
    };
    var programmeSelect = document.getElementById('fee-compute-programmeId');
    var fillProgrammeSelect = function (mine) {
      if (!programmeSelect) return;
      programmeSelect.replaceChildren();
      mine.forEach(function (x) { programmeSelect.appendChild(el('option', { value: x.id }, t('programmeOption', { end: day(x.periodEnd) }))); });
      if (!mine.length) programmeSelect.appendChild(el('option', { value: '' }, t('noProgramme')));
    };
    if (data.full) {
      profileForm.addEventListener('submit', function (ev) {
        ev.preventDefault();
        clearErrors(profileForm);
        var tri = function (v) { return v === '' ? null : v === 'true'; };
        var body = {
          phone: profileForm.phone.value.trim() || null,
          email: profileForm.email.value.trim() || null,
          address: profileForm.address.value.trim() || null,
          livesAlone: tri(profileForm.livesAlone.value),
          familySupport: tri(profileForm.familySupport.value),
          certifiedInvalidity: profileForm.certifiedInvalidity.value === 'true',
          preferredChannel: profileForm.preferredChannel.value || null,
        };
        send('PATCH', '/api/v1/people/' + pid, body).then(function (r) {
          if (r.status !== 200) { showErrors(profileForm, r); return; }
          notice.textContent = t('profileSaved');
          loadFile(false);
        });
      });

      var delegateForm = document.getElementById('delegate');
      delegateForm.givenAt.value = nowLocal();
      delegateForm.addEventListener('submit', function (ev) {
        ev.preventDefault();
        clearErrors(delegateForm);
        var v = function (k) { return delegateForm[k].value.trim(); };
        var cf = v('existingCf').toUpperCase();
        var named = v('givenName') || v('familyName');
        if (cf && named) { fieldMessage(delegateForm, 'delegatePersonId', t('delegateWho')); return; }
        if (!cf) {
          var missing = ['givenName', 'familyName'].filter(function (k) { return !v(k); });
          if (!v('givenAt')) missing.push('givenAt');
          if (missing.length) { missingFields(delegateForm, missing); return; }
        }
        var body = {
          kind: delegateForm.kind.value,
          relationship: v('relationship') || null,
          consent: { method: delegateForm.method.value, givenAt: localToIso(v('givenAt')), givenBy: v('givenBy') || null },
        };
        var who = cf
          ? get('/api/v1/people?limit=1&codiceFiscale=' + encodeURIComponent(cf)).then(function (r) {
              var found = r.status === 200 && r.body.people[0];
              if (!found) { fieldMessage(delegateForm, 'delegatePersonId', t('cfNotFound')); return false; }
              body.delegatePersonId = found.id;
              return true;
            })
          : Promise.resolve(true).then(function () {
              body.delegate = { givenName: v('givenName'), familyName: v('familyName'), phone: v('phone') || null, email: v('email') || null, comuneId: delegateForm.comuneId.value || null };
              return true;
            });
        who.then(function (ok) {
          if (!ok) return;
          return send('POST', '/api/v1/people/' + pid + '/delegates', body).then(function (r) {
            if (r.status !== 201) { showErrors(delegateForm, r); return; }
            delegateForm.reset();
            delegateForm.givenAt.value = nowLocal();
            notice.textContent = t('delegateAdded');
            loadFile(false);
          });
        });
      });

      var consentForm = document.getElementById('consent');
      consentForm.givenAt.value = nowLocal();
      consentForm.addEventListener('submit', function (ev) {
        ev.preventDefault();
        clearErrors(consentForm);
        if (!consentForm.givenAt.value) { missingFields(consentForm, ['givenAt']); return; }
        var body = { purpose: consentForm.purpose.value, method: consentForm.method.value, givenAt: localToIso(consentForm.givenAt.value), givenBy: consentForm.givenBy.value.trim() || null };
        send('POST', '/api/v1/people/' + pid + '/consents', body).then(function (r) {
          if (r.status !== 201) { showErrors(consentForm, r); return; }
          consentForm.reset();
          consentForm.givenAt.value = nowLocal();
          notice.textContent = t('consentRecorded');
          loadFile(false);
        });
      });

      var computeForm = document.getElementById('fee-compute');
      computeForm.addEventListener('submit', function (ev) {
        ev.preventDefault();
        clearErrors(computeForm);
        var missing = ['programmeId', 'month'].filter(function (k) { return !computeForm[k].value; });
        if (missing.length) { missingFields(computeForm, missing); return; }
        send('POST', '/api/v1/programmes/' + computeForm.programmeId.value + '/fee-statements', { month: computeForm.month.value }).then(function (r) {
          if (r.status !== 200) { showErrors(computeForm, r); return; }
          notice.textContent = t('feeComputed', { month: r.body.month, amount: euro(r.body.amountCents), hours: r.body.redeemedHours });
          loadFees();
        });
      });

      var payForm = document.getElementById('payment');
      payForm.paidOn.value = todayIso();
      payForm.addEventListener('submit', function (ev) {
        ev.preventDefault();
        clearErrors(payForm);
        var missing = ['statementId', 'paidOn'].filter(function (k) { return !payForm[k].value; });
        var raw = payForm.amount.value.trim().replace(/\s/g, '');
        if (!raw) missing.push('amountCents');
        if (missing.length) { missingFields(payForm, missing); return; }
        // Euro with a comma or a dot and at most two decimals; the API counts cents.
        var m = /^(\d{1,7})(?:[.,](\d{1,2}))?$/.exec(raw);
        if (!m) { fieldMessage(payForm, 'amountCents', t('amountInvalid')); return; }
        var cents = Number(m[1]) * 100 + Number(((m[2] || '') + '00').slice(0, 2));
        var body = { amountCents: cents, paidOn: payForm.paidOn.value };
        if (payForm.method.value.trim()) body.method = payForm.method.value.trim();
        send('POST', '/api/v1/fee-statements/' + payForm.statementId.value + '/payments', body).then(function (r) {
          if (r.status !== 201) { showErrors(payForm, r); return; }
          payForm.amount.value = '';
          payForm.method.value = '';
          notice.textContent = t('paymentRecorded', { paid: euro(r.body.paidCents), due: euro(r.body.dueCents) });
          loadFees();
        });
      });
    }
  }

  // ── /staff/programmes ──
  if (data.page === 'programmes') {
    var filter = document.getElementById('programme-filter');
    var rows = document.getElementById('programme-rows');
    var table = document.getElementById('programme-table');
    var listStatus = document.getElementById('list-status');
    var names = peopleNames();
    var loadList = function () {
      var comuneId = filter.comuneId.value;
      document.getElementById('export').href = '/api/v1/exports/programmes' + (comuneId ? '?comuneId=' + encodeURIComponent(comuneId) : '');
      Promise.all([names, get('/api/v1/programmes?status=active' + (comuneId ? '&comuneId=' + encodeURIComponent(comuneId) : ''))]).then(function (res) {
        var n = res[0];
        var r = res[1];
        if (r.status !== 200) { listStatus.textContent = t('failed'); return; }
        rows.replaceChildren();
        listStatus.textContent = r.body.programmes.length ? '' : t('noProgramme');
        table.hidden = !r.body.programmes.length;
        r.body.programmes.forEach(function (x) {
          var tr = el('tr');
          var th = el('th', { scope: 'row' });
          th.appendChild(el('a', { href: '/staff/programmes/' + x.id + '?lang=' + lang }, n[x.personId] || t('personUnknown')));
          tr.appendChild(th);
          tr.appendChild(el('td', null, comune(x.comuneId)));
          tr.appendChild(el('td', null, day(x.periodEnd)));
          tr.appendChild(el('td', { class: 'num' }, x.balanceHours));
          rows.appendChild(tr);
        });
      });
    };
    filter.comuneId.addEventListener('change', loadList);
    filter.addEventListener('submit', function (ev) { ev.preventDefault(); loadList(); });
    loadList();
  }

  // ── /staff/programmes/new ──
  if (data.page === 'programme-new') {
    var pform = document.getElementById('programme');
    var resourceSelect = pform.resourceId;
    get('/api/v1/people/' + data.personId).then(function (r) {
      if (r.status === 200) document.getElementById('person-line').textContent = t('personFor', { name: fullName(r.body.person) + ' · ' + comune(r.body.person.comuneId) });
    });
    var providers = get('/api/v1/comuni/' + encodeURIComponent(data.comuneId) + '/providers').then(function (r) {
      if (r.status !== 200) return;
      if (!r.body.providers.length) fieldMessage(pform, 'resourceId', t('noProviders'));
      r.body.providers.forEach(function (p) { resourceSelect.appendChild(el('option', { value: p.id }, p.name)); });
    });
    if (data.renew) {
      // A renewal starts from the current terms; the person may choose the provider again (art. 11).
      Promise.all([providers, get('/api/v1/programmes/' + data.renew)]).then(function (res) {
        var r = res[1];
        if (r.status !== 200) return;
        var pr = r.body.programme;
        pform.weeklyHours.value = pr.weeklyHours;
        pform.visitsPerWeek.value = pr.visitsPerWeek;
        pform.operators.value = pr.operators;
        if (pr.resourceId) resourceSelect.value = pr.resourceId;
        pform.querySelectorAll('input[name=services]').forEach(function (c) { c.checked = pr.services.map(function (s) { return s.toUpperCase(); }).indexOf(c.value) >= 0; });
        var next = new Date(Date.UTC(+pr.periodEnd.slice(0, 4), +pr.periodEnd.slice(5, 7) - 1, +pr.periodEnd.slice(8, 10) + 1));
        pform.start.value = next.toISOString().slice(0, 10);
      });
    }
    pform.addEventListener('submit', function (ev) {
      ev.preventDefault();
      clearErrors(pform);
      var body = {
        start: pform.start.value || undefined,
        plannedEnd: pform.plannedEnd.value,
        weeklyHours: intOrRaw(pform.weeklyHours.value),
        visitsPerWeek: intOrRaw(pform.visitsPerWeek.value),
        operators: intOrRaw(pform.operators.value),
        resourceId: resourceSelect.value || undefined,
        services: Array.prototype.map.call(pform.querySelectorAll('input[name=services]:checked'), function (c) { return c.value; }),
      };
      var missing = {};
      ['start', 'plannedEnd', 'weeklyHours', 'visitsPerWeek', 'operators', 'resourceId'].forEach(function (k) { if (body[k] === undefined || body[k] === '') missing[k] = t('required'); });
      if (!body.services.length) missing.services = t('required');
      if (Object.keys(missing).length) { showErrors(pform, { body: { error: { fields: missing } } }); return; }
      if (pform.contractSigned.checked) body.contractSignedAt = new Date().toISOString();
      var url = data.renew ? '/api/v1/programmes/' + data.renew + '/renewals' : '/api/v1/programmes';
      if (!data.renew) body.personId = data.personId;
      send('POST', url, body).then(function (r) {
        if (r.status === 201) { location.href = '/staff/programmes/' + r.body.programme.id + '?lang=' + lang; return; }
        showErrors(pform, r);
      });
    });
  }

  // ── /staff/programmes/:id ──
  if (data.page === 'programme') {
    var gid = data.programmeId;
    var pnotice = document.getElementById('notice');
    var load = function (first) {
      return get('/api/v1/programmes/' + gid).then(function (r) {
        if (r.status !== 200) { pnotice.textContent = t('notFound'); return; }
        var g = r.body;
        var pr = g.programme;
        // Later loads keep the message of the action that caused them.
        if (first) pnotice.textContent = '';
        document.getElementById('programme-view').hidden = false;
        document.getElementById('person-link').href = '/staff/people/' + pr.personId + '?lang=' + lang;
        document.getElementById('renew-link').href = '/staff/programmes/new?personId=' + pr.personId + '&renew=' + pr.id + '&lang=' + lang;
        var summary = [
          [t('summary.comune'), comune(pr.comuneId)],
          [t('summary.period'), t('period', { start: day(pr.periodStart), end: day(pr.periodEnd) })],
          [t('summary.status'), t('status.' + pr.status)],
          [t('summary.services'), pr.services.map(function (s) { return s + ' ' + service(s); }).join(', ')],
          [t('summary.hours'), pr.weeklyHours], [t('summary.visits'), pr.visitsPerWeek], [t('summary.operators'), pr.operators],
          [t('summary.balance'), g.balance.balanceHours],
        ];
        dl(document.getElementById('summary'), summary);
        if (pr.resourceId) get('/api/v1/resources/' + pr.resourceId).then(function (res) { if (res.status === 200) { summary.push([t('summary.provider'), res.body.name]); dl(document.getElementById('summary'), summary); } });
        get('/api/v1/people/' + pr.personId).then(function (pp) {
          if (pp.status === 200) { summary.unshift([t('summary.person'), fullName(pp.body.person)]); dl(document.getElementById('summary'), summary); }
        });
        renderVisits(document.getElementById('visits'), g.visits);
        list(document.getElementById('suspensions'), g.suspensions, function (s) {
          var li = el('li', null, t('suspensionLine', { from: day(s.fromDate), to: s.toDate ? day(s.toDate) : t('openEnd'), reason: s.reason || '', status: t('suspensionStatus.' + s.status) }));
          if (s.status === 'requested') li.appendChild(decisionForm(s));
          return li;
        });
        // Art. 13: an ended or interrupted programme cannot be interrupted again.
        document.getElementById('interruption-section').hidden = pr.status === 'interrupted' || pr.status === 'ended';
        var due = g.evaluationDue && g.evaluationDue.nextDue;
        document.getElementById('evaluation-due').textContent = due ? t('evaluationDue', { date: day(due) }) : '';
        list(document.getElementById('evaluations'), g.evaluations, function (e) { return el('li', null, t('evaluationLine', { date: day(e.evaluatedOn), outcome: t('outcome.' + e.outcome) }) + (e.notes ? ' · ' + e.notes : '')); });
        list(document.getElementById('questionnaires'), g.questionnaires, function (q) { return el('li', null, time(q.createdAt) + ' · ' + Object.keys(q.answers).map(function (k) { return k + ': ' + q.answers[k]; }).join('; ')); });
        get('/api/v1/programmes/' + gid + '/ledger').then(function (l) {
          var target = document.getElementById('ledger');
          if (l.status !== 200) return;
          var ul = el('ul', { class: 'plain' });
          list(ul, l.body.entries, function (e) { return el('li', null, t('ledgerLine', { date: day(e.on), kind: t('ledgerKind.' + e.kind), hours: e.hours })); });
          target.replaceChildren(ul);
        });
      });
    };
    var renderVisits = function (target, visits) {
      target.replaceChildren();
      if (!visits.length) { target.appendChild(el('p', { class: 'empty' }, t('noVisits'))); return; }
      var table = el('table', { class: 'table' });
      var head = el('tr');
      [t('when'), t('hoursCol'), t('statusCol'), t('actionsCol')].forEach(function (h) { head.appendChild(el('th', { scope: 'col' }, h)); });
      table.appendChild(el('thead')).appendChild(head);
      var body = el('tbody');
      visits.forEach(function (v) {
        var tr = el('tr');
        tr.appendChild(el('th', { scope: 'row' }, time(v.startsAt)));
        tr.appendChild(el('td', { class: 'num' }, v.hours));
        tr.appendChild(el('td', null, t('visitStatus.' + v.status)));
        var actions = el('td');
        if (v.status === 'planned') {
          [['done', 'markDone'], ['cancelled', 'markCancelled'], ['missed', 'markMissed']].forEach(function (a) {
            var b = el('button', { type: 'button', class: 'secondary small' }, t(a[1]));
            b.addEventListener('click', function () {
              send('POST', '/api/v1/visits/' + v.id + '/status', { status: a[0] }).then(function (r) {
                pnotice.textContent = r.status === 200 ? t('saved') : (r.body && r.body.error && r.body.error.message) || t('failed');
                if (r.status === 200) load();
              });
            });
            actions.appendChild(b);
          });
        }
        tr.appendChild(actions);
        body.appendChild(tr);
      });
      table.appendChild(body);
      target.appendChild(table);
    };
    var vform = document.getElementById('visit');
    vform.addEventListener('submit', function (ev) {
      ev.preventDefault();
      clearErrors(vform);
      var warnings = document.getElementById('visit-warnings');
      warnings.hidden = true;
      var body = { startsAt: vform.startsAt.value, hours: intOrRaw(vform.hours.value) };
      if (vform.operators.value) body.operators = intOrRaw(vform.operators.value);
      var missing = {};
      if (!body.startsAt) missing.startsAt = t('required');
      if (body.hours === undefined) missing.hours = t('required');
      if (Object.keys(missing).length) { showErrors(vform, { body: { error: { fields: missing } } }); return; }
      send('POST', '/api/v1/programmes/' + gid + '/visits', body).then(function (r) {
        if (r.status !== 201) { showErrors(vform, r); return; }
        vform.reset();
        pnotice.textContent = t('visitScheduled');
        warnings.replaceChildren();
        r.body.warnings.forEach(function (w) { warnings.appendChild(el('li', null, t('warning', { message: w.message }))); });
        warnings.hidden = !r.body.warnings.length;
        load();
      });
    });
    var simpleForm = function (id, url, build) {
      var form = document.getElementById(id);
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        clearErrors(form);
        var body = build(form);
        var missing = {};
        Object.keys(body).forEach(function (k) { if (body[k] === '' && k !== 'notes') missing[k] = t('required'); });
        if (Object.keys(missing).length) { showErrors(form, { body: { error: { fields: missing } } }); return; }
        if (body.notes === '') delete body.notes;
        send('POST', url, body).then(function (r) {
          if (r.status !== 201) { showErrors(form, r); return; }
          form.reset();
          pnotice.textContent = t('saved');
          load();
        });
      });
    };
    /** Confirm or reject a suspension asked for in the chat; confirming needs its last day. */
    var decisionForm = function (s) {
      var id = 'decide-' + s.id;
      var form = el('form', { id: id, class: 'decision', novalidate: '' });
      var general = el('p', { id: id + '-error', class: 'error', role: 'alert' });
      general.hidden = true;
      form.appendChild(general);
      var box = el('div', { class: 'field', 'data-field': 'toDate' });
      box.appendChild(el('label', { for: id + '-toDate' }, t('decideToDate')));
      var input = el('input', { id: id + '-toDate', name: 'toDate', type: 'date', 'aria-describedby': id + '-toDate-error' });
      if (s.toDate) input.value = s.toDate;
      box.appendChild(input);
      var err = el('p', { id: id + '-toDate-error', class: 'error' });
      err.hidden = true;
      box.appendChild(err);
      form.appendChild(box);
      [['confirm', 'confirmSuspension', 'suspensionConfirmed', ''], ['reject', 'rejectSuspension', 'suspensionRejected', 'secondary']].forEach(function (d) {
        var b = el('button', { type: 'button', class: ('small ' + d[3]).trim() }, t(d[1]));
        b.addEventListener('click', function () {
          clearErrors(form);
          var body = { decision: d[0] };
          if (input.value) body.toDate = input.value;
          send('POST', '/api/v1/programmes/' + gid + '/suspensions/' + s.id + '/decision', body).then(function (r) {
            if (r.status !== 200) { showErrors(form, r); return; }
            pnotice.textContent = t(d[2]);
            load();
          });
        });
        form.appendChild(b);
      });
      form.addEventListener('submit', function (ev) { ev.preventDefault(); });
      return form;
    };
    var iform = document.getElementById('interruption');
    iform.addEventListener('submit', function (ev) {
      ev.preventDefault();
      clearErrors(iform);
      var missing = {};
      if (!iform.reason.value) missing.reason = t('required');
      if (!iform.on.value) missing.on = t('required');
      if (Object.keys(missing).length) { showErrors(iform, { body: { error: { fields: missing } } }); return; }
      var body = { reason: iform.reason.value, on: iform.on.value };
      if (iform.note.value.trim()) body.note = iform.note.value.trim();
      send('POST', '/api/v1/programmes/' + gid + '/interruption', body).then(function (r) {
        if (r.status !== 200) { showErrors(iform, r); return; }
        iform.reset();
        pnotice.textContent = t('interrupted', { hours: r.body.returnedHours });
        load();
      });
    });
    var qform = document.getElementById('questionnaire');
    qform.addEventListener('submit', function (ev) {
      ev.preventDefault();
      clearErrors(qform);
      var answers = {};
      ['overall', 'operators', 'times', 'continue', 'comment'].forEach(function (k) { var v = qform[k].value.trim(); if (v) answers[k] = v; });
      if (!Object.keys(answers).length) { fieldMessage(qform, 'overall', t('oneAnswer')); return; }
      send('POST', '/api/v1/programmes/' + gid + '/questionnaires', { answers: answers }).then(function (r) {
        if (r.status !== 201) { showErrors(qform, r); return; }
        qform.reset();
        pnotice.textContent = t('questionnaireSaved');
        load();
      });
    });
    simpleForm('suspension', '/api/v1/programmes/' + gid + '/suspensions', function (f) { return { fromDate: f.fromDate.value, toDate: f.toDate.value, reason: f.reason.value.trim() }; });
    simpleForm('evaluation', '/api/v1/programmes/' + gid + '/evaluations', function (f) { return { evaluatedOn: f.evaluatedOn.value, outcome: f.outcome.value, notes: f.notes.value.trim() }; });
    load(true);
  }

  // ── /staff/provider ──
  if (data.page === 'provider') {
    var cnotice = document.getElementById('notice');
    var render = function (first) {
      return Promise.all([peopleNames(), get('/api/v1/visits?from=' + data.from + '&to=' + data.to)]).then(function (res) {
        var n = res[0];
        var r = res[1];
        if (r.status !== 200) { cnotice.textContent = t('failed'); return; }
        document.querySelectorAll('.day .visits-of-day').forEach(function (ul) { ul.replaceChildren(); });
        r.body.visits.forEach(function (v) {
          var ul = document.querySelector('.day[data-day="' + v.startsAt.slice(0, 10) + '"] .visits-of-day');
          // startsAt is UTC; the day is the Rome one.
          var romeDay = new Date(v.startsAt).toLocaleDateString('sv-SE', { timeZone: 'Europe/Rome' });
          ul = document.querySelector('.day[data-day="' + romeDay + '"] .visits-of-day') || ul;
          if (!ul) return;
          var li = el('li', { class: 'visit ' + v.status });
          li.appendChild(el('p', { class: 'who' }, hourOnly(v.startsAt) + ' · ' + (n[v.personId] || t('personUnknown'))));
          // A done visit whose hours could not be charged (the balance ran out) says so, and can be recorded again.
          var unredeemed = v.status === 'done' && v.redeemed === false;
          li.appendChild(el('p', { class: 'meta' }, comune(v.comuneId) + ' · ' + v.hours + ' h · ' + t(unredeemed ? 'visitStatus.doneUnredeemed' : 'visitStatus.' + v.status)));
          if (unredeemed || (v.status === 'planned' && new Date(v.startsAt).getTime() <= Date.now())) {
            var b = el('button', { type: 'button', class: 'small' }, t(unredeemed ? 'recordAgain' : 'record'));
            b.addEventListener('click', function () { record(v, li, b); });
            li.appendChild(b);
          }
          ul.appendChild(li);
        });
        document.querySelectorAll('.day .visits-of-day').forEach(function (ul2) { if (!ul2.children.length) ul2.appendChild(el('li', { class: 'empty' }, t('none'))); });
        // The first load replaces "loading…"; later ones keep the message of the last action.
        if (first) cnotice.textContent = r.body.visits.length ? '' : t('noVisits');
      });
    };
    // Done first, then the vouchers: a visit already done (e.g. after a failed redemption) is
    // only redeemed; the API refuses a second redemption of the same visit.
    var record = function (v, li, button) {
      button.disabled = true;
      send('POST', '/api/v1/visits/' + v.id + '/status', { status: 'done' }).then(function (r) {
        if (r.status !== 200 && !(r.status === 409)) throw r;
        return send('POST', '/api/v1/programmes/' + v.programmeId + '/redemptions', { hours: v.hours, deliveredAt: v.startsAt, visitId: v.id });
      }).then(function (r) {
        if (r.status !== 201) throw r;
        cnotice.textContent = t('recorded', { hours: r.body.hours, balance: r.body.balanceHours });
        render(false);
      }).catch(function (r) {
        button.disabled = false;
        cnotice.textContent = (r && r.body && r.body.error && r.body.error.message) || t('failed');
      });
    };
    render(true);
  }

  // ── /staff/provider/statement ──
  if (data.page === 'provider-statement') {
    var target = document.getElementById('statements');
    var snotice = document.getElementById('notice');
    document.getElementById('print').addEventListener('click', function () { window.print(); });
    Promise.all(data.resources.map(function (id) {
      return Promise.all([get('/api/v1/resources/' + id), get('/api/v1/provider-statements?resourceId=' + id + '&month=' + data.month)]);
    })).then(function (all) {
      snotice.textContent = '';
      target.replaceChildren();
      all.forEach(function (pair) {
        var resource = pair[0].status === 200 ? pair[0].body.name : '';
        var r = pair[1];
        if (r.status !== 200) { snotice.textContent = t('failed'); return; }
        var section = el('section', { class: 'card' });
        if (!r.body.comuni.length) { section.appendChild(el('h2', null, resource)); section.appendChild(el('p', { class: 'empty' }, t('noRedemptions'))); target.appendChild(section); return; }
        var table = el('table', { class: 'table' });
        table.appendChild(el('caption', null, t('statementCaption', { resource: resource })));
        var head = el('tr');
        [t('comune'), t('redeemedHours'), t('redemptions'), t('programmesCol')].forEach(function (h) { head.appendChild(el('th', { scope: 'col' }, h)); });
        table.appendChild(el('thead')).appendChild(head);
        var body = el('tbody');
        r.body.comuni.forEach(function (c) {
          var tr = el('tr');
          tr.appendChild(el('th', { scope: 'row' }, comune(c.comuneId)));
          tr.appendChild(el('td', { class: 'num' }, c.redeemedHours));
          tr.appendChild(el('td', { class: 'num' }, c.redemptions));
          tr.appendChild(el('td', { class: 'num' }, c.programmes));
          body.appendChild(tr);
        });
        table.appendChild(body);
        var foot = el('tr');
        foot.appendChild(el('th', { scope: 'row' }, t('total')));
        foot.appendChild(el('td', { class: 'num' }, r.body.totalHours));
        foot.appendChild(el('td'));
        foot.appendChild(el('td'));
        table.appendChild(el('tfoot')).appendChild(foot);
        section.appendChild(table);
        target.appendChild(section);
      });
    });
  }
})();
