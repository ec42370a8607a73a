// Administration pages of the staff console (issue #7): fills the server-rendered shells from
// the JSON API. Text is placed with textContent, never innerHTML. A refused save shows the API's
// message next to each field (error.fields) and changes nothing: every save is one API call.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('console-data').textContent);
  var S = data.strings;
  var lang = data.locale;

  function t(key, params) {
    var s = S['consoleAdmin:' + key] || key;
    if (params) Object.keys(params).forEach(function (k) { s = s.split('{{' + k + '}}').join(String(params[k])); });
    return s;
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function api(method, url, body, contentType) {
    var init = { method: method, credentials: 'same-origin', headers: { accept: 'application/json', 'accept-language': lang } };
    if (body !== undefined) { init.headers['content-type'] = contentType || 'application/json'; init.body = contentType ? body : JSON.stringify(body); }
    return fetch(url, init).then(function (res) {
      if (res.status === 401) { location.href = '/staff/login?lang=' + lang + '&next=' + encodeURIComponent(location.pathname); throw new Error('401'); }
      if (res.status === 204) return { status: 204, body: null };
      return res.json().then(function (b) { return { status: res.status, body: b }; }, function () { return { status: res.status, body: null }; });
    });
  }
  var notice = document.getElementById('notice');
  var formError = document.getElementById('form-error');
  function say(text) { if (notice) notice.textContent = text; }

  // ── Field-level errors ──
  function clearErrors(form) {
    form.querySelectorAll('.error[data-for]').forEach(function (p) { p.hidden = true; p.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach(function (x) { x.removeAttribute('aria-invalid'); });
    if (formError) { formError.hidden = true; formError.textContent = ''; }
  }
  /** Finds the error slot of an API field name, walking up "feeTariff.bands.1.centsPerHour" → "feeTariff". */
  function slotFor(form, key) {
    var parts = key.split('.');
    while (parts.length) {
      var name = parts.join('.');
      var slot = form.querySelector('.error[data-for="' + name + '"]');
      if (slot) return { slot: slot, name: name };
      parts.pop();
    }
    return null;
  }
  function showErrors(form, r, aliases) {
    clearErrors(form);
    var err = (r.body && r.body.error) || {};
    var fields = err.fields || {};
    var unplaced = [];
    var first = null;
    Object.keys(fields).forEach(function (key) {
      var found = slotFor(form, (aliases && aliases[key]) || key);
      if (!found) { unplaced.push(fields[key]); return; }
      found.slot.textContent = found.slot.textContent ? found.slot.textContent + ' ' + fields[key] : fields[key];
      found.slot.hidden = false;
      var control = form.querySelector('[name="' + key + '"]') || form.querySelector('[name="' + found.name + '"]') || form.querySelector('[data-field="' + found.name + '"]');
      if (control) { control.setAttribute('aria-invalid', 'true'); if (!first) first = control; }
    });
    if (formError) {
      formError.textContent = [err.message || t('common.failed')].concat(unplaced).join(' ');
      formError.hidden = false;
    }
    if (first && first.focus) first.focus();
  }
  function checked(form, name) {
    return Array.prototype.filter.call(form.querySelectorAll('input[name="' + name + '"]'), function (c) { return c.checked; }).map(function (c) { return c.value; });
  }
  function setChecked(form, name, values) {
    form.querySelectorAll('input[name="' + name + '"]').forEach(function (c) { c.checked = values.indexOf(c.value) >= 0; });
  }
  var comuneNames = {};
  (data.comuni || []).forEach(function (c) { comuneNames[c.id] = c.name; });
  function comuniText(ids) { return ids.map(function (id) { return comuneNames[id] || id; }).join(', '); }
  function button(text, cls, onClick) {
    var b = el('button', { type: 'button', class: cls || 'secondary' }, text);
    b.addEventListener('click', onClick);
    return b;
  }
  function cell(tr, text) { tr.appendChild(el('td', null, text)); }
  function textOrNull(v) { v = v.trim(); return v === '' ? null : v; }
  function splitCodes(v) { return v.split(/[,\s]+/).map(function (s) { return s.trim(); }).filter(Boolean); }

  // ── Staff accounts ──
  if (data.page === 'admin-staff') (function () {
    var form = document.getElementById('staff-form');
    var rows = document.getElementById('staff-rows');
    var heading = document.getElementById('staff-form-h');
    var cancel = document.getElementById('staff-cancel');
    var box = document.getElementById('password-box');
    var editing = null;
    var me = data.staff && data.staff.id;

    function showPassword(username, password) {
      document.getElementById('password-text').textContent = t('staff.password', { username: username, password: password });
      box.hidden = false;
      box.focus && box.setAttribute('tabindex', '-1');
      box.focus();
    }
    function reset() {
      editing = null;
      form.reset();
      form.username.disabled = false;
      heading.textContent = t('staff.newHeading');
      cancel.hidden = true;
      clearErrors(form);
    }
    function edit(s) {
      editing = s;
      clearErrors(form);
      form.username.value = s.username;
      form.username.disabled = true;
      form.displayName.value = s.displayName;
      form.role.value = s.role;
      setChecked(form, 'comuni', s.comuni);
      setChecked(form, 'resources', s.resources);
      heading.textContent = t('staff.editHeading', { username: s.username });
      cancel.hidden = false;
      form.displayName.focus();
    }
    function load() {
      return api('GET', '/api/v1/admin/staff').then(function (r) {
        if (r.status !== 200) return;
        rows.replaceChildren();
        r.body.staff.forEach(function (s) {
          var tr = el('tr');
          tr.appendChild(el('th', { scope: 'row' }, s.username));
          cell(tr, s.displayName);
          cell(tr, t('role.' + s.role));
          cell(tr, s.role === 'admin' ? t('common.all') : comuniText(s.comuni) || t('common.none'));
          cell(tr, s.active ? t('staff.active') : t('staff.inactive'));
          var actions = el('td', { class: 'actions' });
          actions.appendChild(button(t('common.edit'), 'secondary', function () { edit(s); }));
          if (s.id !== me) actions.appendChild(button(s.active ? t('staff.disable') : t('staff.enable'), 'secondary', function () {
            api('PATCH', '/api/v1/admin/staff/' + s.id, { active: !s.active }).then(function (x) {
              // The field's own message says why (e.g. still on call for a comune), not only "dati non validi".
              var err = x.body && x.body.error;
              if (x.status === 200) { say(t('staff.updated', { username: s.username })); load(); } else say(err ? (err.fields && err.fields.active) || err.message : t('common.failed'));
            });
          }));
          actions.appendChild(button(t('staff.resetPassword'), 'secondary', function () {
            api('POST', '/api/v1/admin/staff/' + s.id + '/password').then(function (x) {
              if (x.status === 200) showPassword(s.username, x.body.password); else say(t('common.failed'));
            });
          }));
          tr.appendChild(actions);
          rows.appendChild(tr);
        });
      });
    }
    api('GET', '/api/v1/resources').then(function (r) {
      if (r.status !== 200) return;
      var list = document.getElementById('sf-resource-list');
      r.body.resources.forEach(function (res) {
        var label = el('label', { class: 'check' });
        label.appendChild(el('input', { type: 'checkbox', name: 'resources', value: res.id }));
        label.appendChild(document.createTextNode(' ' + res.name));
        list.appendChild(label);
      });
    });
    cancel.addEventListener('click', reset);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var body = { displayName: form.displayName.value, role: form.role.value, comuni: checked(form, 'comuni'), resources: checked(form, 'resources') };
      var req = editing ? api('PATCH', '/api/v1/admin/staff/' + editing.id, body) : api('POST', '/api/v1/admin/staff', Object.assign({ username: form.username.value }, body));
      var was = editing;
      req.then(function (r) {
        if (r.status === 200 || r.status === 201) {
          reset();
          say(was ? t('staff.updated', { username: r.body.staff.username }) : t('staff.created', { username: r.body.staff.username }));
          if (r.body.password) showPassword(r.body.staff.username, r.body.password);
          load();
        } else showErrors(form, r);
      });
    });
    load();
  })();

  // ── Resources ──
  if (data.page === 'admin-resources') (function () {
    var form = document.getElementById('resource-form');
    var rows = document.getElementById('resource-rows');
    var heading = document.getElementById('res-form-h');
    var cancel = document.getElementById('resource-cancel');
    var editing = null;
    function reset() { editing = null; form.reset(); heading.textContent = t('resources.newHeading'); cancel.hidden = true; clearErrors(form); }
    function edit(res) {
      editing = res;
      clearErrors(form);
      form.kind.value = res.kind;
      form.name.value = res.name;
      form.services.value = res.services.join(', ');
      setChecked(form, 'comuni', res.comuni);
      form.phone.value = res.phone || '';
      form.email.value = res.email || '';
      form.address.value = res.address || '';
      form.availability.value = res.availability || '';
      form.accreditedUntil.value = res.accreditedUntil || '';
      heading.textContent = t('resources.editHeading', { name: res.name });
      cancel.hidden = false;
      form.name.focus();
    }
    function load() {
      return api('GET', '/api/v1/resources?active=all').then(function (r) {
        if (r.status !== 200) return;
        rows.replaceChildren();
        r.body.resources.forEach(function (res) {
          var tr = el('tr');
          tr.appendChild(el('th', { scope: 'row' }, res.name));
          cell(tr, t('kind.' + res.kind));
          cell(tr, res.services.join(', '));
          cell(tr, comuniText(res.comuni));
          cell(tr, res.accreditedUntil || '—');
          cell(tr, res.active ? t('staff.active') : t('staff.inactive'));
          var actions = el('td', { class: 'actions' });
          actions.appendChild(button(t('common.edit'), 'secondary', function () { edit(res); }));
          actions.appendChild(button(res.active ? t('resources.disable') : t('resources.enable'), 'secondary', function () {
            api('PATCH', '/api/v1/resources/' + res.id, { active: !res.active }).then(function (x) {
              if (x.status === 200) { say(t('resources.updated', { name: res.name })); load(); } else say(x.body && x.body.error ? x.body.error.message : t('common.failed'));
            });
          }));
          tr.appendChild(actions);
          rows.appendChild(tr);
        });
      });
    }
    cancel.addEventListener('click', reset);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var body = {
        kind: form.kind.value, name: form.name.value, services: splitCodes(form.services.value), comuni: checked(form, 'comuni'),
        phone: textOrNull(form.phone.value), email: textOrNull(form.email.value), address: textOrNull(form.address.value),
        availability: textOrNull(form.availability.value), accreditedUntil: textOrNull(form.accreditedUntil.value),
      };
      var was = editing;
      (editing ? api('PATCH', '/api/v1/resources/' + editing.id, body) : api('POST', '/api/v1/resources', body)).then(function (r) {
        if (r.status === 200 || r.status === 201) { reset(); say(was ? t('resources.updated', { name: r.body.name }) : t('resources.created', { name: r.body.name })); load(); }
        else showErrors(form, r);
      });
    });
    load();
  })();

  // ── Comune settings and canned replies ──
  if (data.page === 'admin-comuni') (function () {
    var select = document.getElementById('comune-select');
    var form = document.getElementById('settings-form');
    var bands = document.getElementById('bands');
    var onCall = form.onCallStaffId;
    var cannedForm = document.getElementById('canned-form');
    var cannedList = document.getElementById('canned-list');
    var staffList = [];

    function euros(cents) { return cents === null || cents === undefined ? '' : String(cents / 100); }
    function addBand(upTo, perHour) {
      var i = bands.children.length;
      var row = el('div', { class: 'band row wrap' });
      var idA = 'band-' + i + '-upto';
      var idB = 'band-' + i + '-euro';
      var a = el('div', { class: 'field' });
      a.appendChild(el('label', { for: idA }, t('comuni.band.upTo', { n: i + 1 })));
      var inA = el('input', { id: idA, type: 'number', min: '0', step: '0.01', 'data-band': 'upTo', name: 'feeTariff.bands.' + i + '.upToIseeCents', placeholder: t('comuni.band.open'), 'aria-describedby': 'cf-feeTariff-error' });
      inA.value = euros(upTo);
      a.appendChild(inA);
      var b = el('div', { class: 'field' });
      b.appendChild(el('label', { for: idB }, t('comuni.band.euro', { n: i + 1 })));
      var inB = el('input', { id: idB, type: 'number', min: '0', step: '0.01', 'data-band': 'euro', name: 'feeTariff.bands.' + i + '.centsPerHour', 'aria-describedby': 'cf-feeTariff-error' });
      inB.value = euros(perHour);
      b.appendChild(inB);
      row.appendChild(a);
      row.appendChild(b);
      row.appendChild(button(t('comuni.band.remove', { n: i + 1 }), 'secondary', function () { row.remove(); }));
      bands.appendChild(row);
    }
    function fillOnCall(comuneId, current) {
      onCall.replaceChildren(el('option', { value: '' }, t('comuni.noOnCall')));
      staffList.filter(function (s) { return s.active && s.role !== 'provider' && (s.role === 'admin' || s.comuni.indexOf(comuneId) >= 0); }).forEach(function (s) {
        var o = el('option', { value: s.id }, s.displayName + ' (' + t('role.' + s.role) + ')');
        if (s.id === current) o.selected = true;
        onCall.appendChild(o);
      });
    }
    // The form stays locked until the chosen comune's settings are in it: typed text would be
    // overwritten when they arrive, and a save before then would write another comune's (or blank)
    // settings over this one's. A late answer for a comune no longer chosen is dropped.
    var newestLoad = 0;
    function lock(locked) {
      form.setAttribute('aria-busy', String(locked));
      Array.prototype.forEach.call(form.elements, function (x) { x.disabled = locked; });
    }
    lock(true);
    function load() {
      var id = select.value;
      var mine = ++newestLoad;
      clearErrors(form);
      lock(true);
      return api('GET', '/api/v1/comuni/' + encodeURIComponent(id) + '/settings').then(function (r) {
        if (mine !== newestLoad) return;
        // A failed load leaves the form locked: saving it would overwrite the settings with old values.
        if (r.status !== 200) { say(t('common.failed')); return; }
        var s = r.body;
        form.patronDay.value = s.patronDay || '';
        form.officeAddress.value = s.officeAddress || '';
        for (var d = 1; d <= 7; d++) form.elements['officeHours.' + d].value = ((s.officeHours || {})[String(d)] || []).join(', ');
        bands.replaceChildren();
        ((s.feeTariff && s.feeTariff.bands) || []).forEach(function (b) { addBand(b.upToIseeCents, b.centsPerHour); });
        fillOnCall(id, s.onCallStaffId);
        form.extraServices.value = s.extraServices.map(function (e) { return e.code + '; ' + e.name; }).join('\n');
        form.volunteerVoucherServices.value = s.volunteerVoucherServices.join(', ');
        lock(false);
        loadCanned();
      }, function () {
        if (mine === newestLoad) say(t('common.failed'));
      });
    }
    function loadCanned() {
      var id = select.value;
      api('GET', '/api/v1/inbox/canned-replies?comune=' + encodeURIComponent(id)).then(function (r) {
        if (r.status !== 200 || id !== select.value) return;
        cannedList.replaceChildren();
        if (r.body.cannedReplies.length === 0) cannedList.appendChild(el('li', { class: 'empty' }, t('comuni.canned.none')));
        r.body.cannedReplies.forEach(function (c) {
          var li = el('li');
          li.appendChild(el('p', { class: 'title' }, c.title + (c.comuneId ? '' : ' · ' + t('comuni.canned.ambito'))));
          li.appendChild(el('p', { class: 'text' }, c.text));
          li.appendChild(button(t('common.delete') + ': ' + c.title, 'secondary', function () {
            api('DELETE', '/api/v1/inbox/canned-replies/' + c.id).then(function (x) { if (x.status === 204) { say(t('comuni.canned.deleted')); loadCanned(); } });
          }));
          cannedList.appendChild(li);
        });
      });
    }
    function euroToCents(v) {
      if (v === '') return null;
      var n = Number(v);
      return isFinite(n) ? Math.round(n * 100) : v;
    }
    document.getElementById('band-add').addEventListener('click', function () { addBand(null, null); });
    select.addEventListener('change', load);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var hours = {};
      for (var d = 1; d <= 7; d++) {
        var v = form.elements['officeHours.' + d].value;
        var list = v.split(',').map(function (x) { return x.trim(); }).filter(Boolean);
        if (list.length) hours[String(d)] = list;
      }
      var bandRows = Array.prototype.map.call(bands.querySelectorAll('.band'), function (row) {
        var perHour = euroToCents(row.querySelector('[data-band="euro"]').value);
        return { upToIseeCents: euroToCents(row.querySelector('[data-band="upTo"]').value), centsPerHour: perHour };
      });
      var extras = form.extraServices.value.split('\n').map(function (line) { return line.trim(); }).filter(Boolean).map(function (line) {
        var at = line.indexOf(';');
        return at < 0 ? { code: line, name: '' } : { code: line.slice(0, at).trim(), name: line.slice(at + 1).trim() };
      });
      var body = {
        patronDay: textOrNull(form.patronDay.value), officeAddress: textOrNull(form.officeAddress.value),
        officeHours: Object.keys(hours).length ? hours : null,
        feeTariff: bandRows.length ? { bands: bandRows } : null,
        onCallStaffId: onCall.value || null,
        extraServices: extras,
        volunteerVoucherServices: splitCodes(form.volunteerVoucherServices.value),
      };
      api('PATCH', '/api/v1/comuni/' + encodeURIComponent(select.value) + '/settings', body).then(function (r) {
        if (r.status === 200) { clearErrors(form); say(t('comuni.saved', { name: r.body.name })); load(); } else showErrors(form, r);
      });
    });
    cannedForm.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var body = { comuneId: cannedForm.comuneId.value === 'comune' ? select.value : null, title: cannedForm.title.value, text: cannedForm.text.value };
      api('POST', '/api/v1/inbox/canned-replies', body).then(function (r) {
        if (r.status === 201) { clearErrors(cannedForm); cannedForm.reset(); say(t('comuni.canned.added')); loadCanned(); } else showErrors(cannedForm, r);
      });
    });
    // The ambito's central on-call (db/reminders.ts): gets the emergencies no comune's on-call can take.
    var centralForm = document.getElementById('central-form');
    var centralState = document.getElementById('central-state');
    function ta(key) { return S['alerts:' + key] || key; }
    function loadCentral() {
      return api('GET', '/api/v1/admin/ambito-settings').then(function (r) {
        if (r.status !== 200) { say(t('common.failed')); return; }
        var sel = centralForm.centralOnCallStaffId;
        sel.replaceChildren(el('option', { value: '' }, ta('settings.none')));
        staffList.filter(function (s) { return s.active && s.role !== 'provider'; }).forEach(function (s) {
          var o = el('option', { value: s.id }, s.displayName + ' (' + t('role.' + s.role) + ')');
          if (s.id === r.body.centralOnCallStaffId) o.selected = true;
          sel.appendChild(o);
        });
        centralState.textContent = !r.body.centralOnCallStaffId ? ta('settings.missing') : r.body.centralOnCallReachable ? ta('settings.reachable') : ta('settings.unreachable');
      });
    }
    centralForm.addEventListener('submit', function (ev) {
      ev.preventDefault();
      api('PATCH', '/api/v1/admin/ambito-settings', { centralOnCallStaffId: centralForm.centralOnCallStaffId.value || null }).then(function (r) {
        if (r.status === 200) { clearErrors(centralForm); say(ta('settings.saved')); loadCentral(); } else showErrors(centralForm, r);
      });
    });
    api('GET', '/api/v1/admin/staff').then(function (r) { if (r.status === 200) staffList = r.body.staff; load(); loadCentral(); });
  })();

  // ── Over-65 import ──
  if (data.page === 'admin-import') (function () {
    var form = document.getElementById('import-form');
    var result = document.getElementById('import-result');
    var rows = document.getElementById('import-rows');
    var commit = document.getElementById('import-commit');
    var checkedText = null;
    function readText() {
      var file = form.file.files && form.file.files[0];
      if (!file) return Promise.resolve(form.csv.value);
      return file.text();
    }
    function send(text, save) {
      return api('POST', '/api/v1/admin/over65-import' + (save ? '?commit=true' : ''), { csv: text });
    }
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      result.hidden = true;
      readText().then(function (text) {
        if (!text.trim()) { showErrors(form, { body: { error: { message: t('import.noFile'), fields: { csv: t('import.noFile') } } } }); return; }
        send(text, false).then(function (r) {
          if (r.status !== 200) { showErrors(form, r, { '(body)': 'csv' }); return; }
          clearErrors(form);
          checkedText = text;
          rows.replaceChildren();
          r.body.comuni.forEach(function (c) {
            var tr = el('tr');
            tr.appendChild(el('th', { scope: 'row' }, c.name));
            cell(tr, c.istatCode || '—');
            cell(tr, String(c.over65Before) + (c.illustrativeBefore ? ' (' + t('import.illustrative') + ')' : ''));
            cell(tr, String(c.over65));
            rows.appendChild(tr);
          });
          document.getElementById('import-unknown').textContent = r.body.unknown.length ? t('import.unknown', { names: r.body.unknown.join(', ') }) : '';
          document.getElementById('import-missing').textContent = r.body.missing.length ? t('import.missing', { names: comuniText(r.body.missing) }) : '';
          commit.hidden = false;
          result.hidden = false;
          say(t('import.checked', { n: r.body.comuni.length }));
        });
      });
    });
    commit.addEventListener('click', function () {
      if (checkedText === null) return;
      send(checkedText, true).then(function (r) {
        if (r.status === 200 && r.body.committed) { commit.hidden = true; say(t('import.saved', { n: r.body.comuni.length })); }
        else showErrors(form, r, { '(body)': 'csv' });
      });
    });
  })();

  // ── Budget and redistribution ──
  if (data.page === 'admin-budget') (function () {
    var form = document.getElementById('budget-form');
    var save = document.getElementById('budget-save');
    var state = document.getElementById('budget-state');
    var preview = document.getElementById('budget-preview');
    var previewRows = document.getElementById('preview-rows');
    var redisSave = document.getElementById('redis-save');
    var redisResult = document.getElementById('redis-result');
    var names = {};
    function year() { return form.year.value.trim(); }
    function num(v) { return v.trim() === '' ? NaN : Number(v); }
    function showShares(shares) {
      previewRows.replaceChildren();
      shares.forEach(function (s) {
        var tr = el('tr');
        tr.appendChild(el('th', { scope: 'row' }, s.name || names[s.comuneId] || s.comuneId));
        cell(tr, s.over65 === undefined ? '—' : String(s.over65) + (s.over65Illustrative ? ' (' + t('import.illustrative') + ')' : ''));
        cell(tr, String(s.hours) + (s.atFloor ? ' · ' + t('budget.atFloor') : ''));
        previewRows.appendChild(tr);
      });
      preview.hidden = false;
    }
    function loadSaved() {
      save.hidden = true;
      preview.hidden = true;
      return api('GET', '/api/v1/admin/budgets/' + encodeURIComponent(year())).then(function (r) {
        if (r.status === 200) {
          state.textContent = t('budget.savedInfo', { year: r.body.year, hours: r.body.totalHours, weeks: r.body.weeks });
          form.totalHours.value = r.body.totalHours;
          form.weeks.value = r.body.weeks;
          showShares(r.body.allocations.map(function (a) { return { comuneId: a.comuneId, hours: a.hours }; }));
        } else state.textContent = t('budget.notSaved', { year: year() });
      });
    }
    function query() { return '?totalHours=' + encodeURIComponent(form.totalHours.value) + '&weeks=' + encodeURIComponent(form.weeks.value); }
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      api('GET', '/api/v1/admin/budgets/' + encodeURIComponent(year()) + '/preview' + query()).then(function (r) {
        if (r.status !== 200) { save.hidden = true; preview.hidden = true; showErrors(form, r); return; }
        clearErrors(form);
        r.body.shares.forEach(function (s) { names[s.comuneId] = s.name; });
        showShares(r.body.shares);
        save.hidden = false;
        say(t('budget.previewReady'));
      });
    });
    save.addEventListener('click', function () {
      api('PUT', '/api/v1/admin/budgets/' + encodeURIComponent(year()), { totalHours: num(form.totalHours.value), weeks: num(form.weeks.value) }).then(function (r) {
        if (r.status === 200) { clearErrors(form); say(t('budget.saved', { year: r.body.year })); loadSaved(); } else showErrors(form, r);
      });
    });
    form.year.addEventListener('change', loadSaved);
    function redistribution(dryRun) {
      return api('POST', '/api/v1/admin/budgets/' + encodeURIComponent(year()) + '/redistribution', { dryRun: dryRun }).then(function (r) {
        if (r.status !== 200) { say(r.body && r.body.error ? r.body.error.message : t('common.failed')); return; }
        var tbody = document.getElementById('redis-rows');
        tbody.replaceChildren();
        r.body.shares.forEach(function (s) {
          var tr = el('tr');
          tr.appendChild(el('th', { scope: 'row' }, names[s.comuneId] || comuneNames[s.comuneId] || s.comuneId));
          [s.allocatedHours, s.usedHours, s.needHours, s.unspentHours, s.receivedHours, s.finalHours].forEach(function (v) { cell(tr, String(v)); });
          tbody.appendChild(tr);
        });
        document.getElementById('redis-summary').textContent = t(dryRun ? 'budget.redistributionReady' : 'budget.redistributed', { pool: r.body.poolHours, unassigned: r.body.unassignedHours });
        redisResult.hidden = false;
        redisSave.hidden = !dryRun;
        say(document.getElementById('redis-summary').textContent);
      });
    }
    document.getElementById('redis-preview').addEventListener('click', function () { redistribution(true); });
    redisSave.addEventListener('click', function () { redistribution(false); });
    api('GET', '/api/v1/comuni').then(function (r) { if (r.status === 200 && r.body.comuni) r.body.comuni.forEach(function (c) { names[c.id] = c.name; }); });
    loadSaved();
  })();
})();
