// Light on-demand requests (issue #9): the open requests a volunteer may take (staff: assign), and
// the ones taken, with whom to help, the confirmed day and time, and giving one back. Fills the
// shell from /api/v1/light-requests; text is placed with textContent, never innerHTML.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('console-data').textContent);
  if (data.page !== 'light-requests') return;
  var S = data.strings;
  var lang = data.locale;
  var LOCALE = lang === 'en' ? 'en-GB' : 'it-IT';
  var volunteer = data.staff && data.staff.role === 'provider';
  var comuneNames = data.light.comuneNames || {};
  var ownResources = data.light.resources || [];
  var openList = document.getElementById('light-open');
  var mineList = document.getElementById('light-mine');
  var notice = document.getElementById('light-notice');
  var dialog = document.getElementById('light-confirm');
  var LIGHT_KINDS = ['volunteer_association', 'occasional_helper'];
  // Whom to help, read once per page: every read of a request's detail is audited.
  var contacts = {};
  // Staff: every resource, for the "Affida" select and the name of who took a request.
  var resources = [];
  var pendingRelease = null;

  function t(key, params) {
    var s = S['consoleLight:js.' + key];
    if (s === undefined) return '';
    if (params) Object.keys(params).forEach(function (k) { s = s.split('{{' + k + '}}').join(String(params[k])); });
    return s;
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function api(method, url, body) {
    var init = { method: method, credentials: 'same-origin', headers: { accept: 'application/json', 'accept-language': lang } };
    if (body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(url, init).then(function (res) {
      if (res.status === 401) { location.href = '/staff/login?lang=' + lang + '&next=' + encodeURIComponent(location.pathname); throw new Error('401'); }
      return res.json().then(function (b) { return { status: res.status, body: b }; }, function () { return { status: res.status, body: null }; });
    });
  }
  function errorText(r) { return (r.body && r.body.error && r.body.error.message) || t('failed'); }
  /** The polite status line; after an action that removes the clicked button, focus goes there. */
  function say(text, focus) {
    notice.textContent = text;
    if (focus) notice.focus();
  }
  function failed(button) {
    return function () { if (button) button.disabled = false; say(t('failed')); };
  }

  function serviceName(code) { return (code && t('service.' + code)) || code || t('service.unknown'); }
  function comuneName(id) { return (id && comuneNames[id]) || id || ''; }
  function resourceName(id) {
    var found = ownResources.concat(resources).filter(function (r) { return r.id === id; })[0];
    return found ? found.name : t('unknownResource');
  }
  function when(iso) {
    var d = new Date(iso);
    return t('when', {
      date: d.toLocaleDateString(LOCALE, { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'Europe/Rome' }),
      time: d.toLocaleTimeString(LOCALE, { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Rome' }),
    });
  }
  /** Rome wall clock as the date and time fields want it: ['2026-03-12', '10:00']. */
  function romeParts(d) {
    var s = d.toLocaleString('sv-SE', { timeZone: 'Europe/Rome', hour12: false });
    return [s.slice(0, 10), s.slice(11, 16)];
  }
  function details(rows) {
    var dl = el('dl', { class: 'details' });
    rows.forEach(function (row) {
      var div = el('div');
      div.appendChild(el('dt', null, row[0]));
      var dd = el('dd');
      if (typeof row[1] === 'string') dd.textContent = row[1]; else dd.appendChild(row[1]);
      div.appendChild(dd);
      dl.appendChild(div);
    });
    return dl;
  }
  function heading(r) { return el('h3', { id: 'light-h-' + r.id }, r.reference + ' · ' + serviceName(r.service)); }

  // ── Da prendere ──
  /** Who may take each open request: a volunteer's own resources (the API says which), or for staff any eligible one. */
  function loadOpen() {
    if (volunteer) {
      // One list per own resource: the server applies the rules (comune served, service offered).
      return Promise.all(ownResources.map(function (res) {
        return api('GET', '/api/v1/light-requests?view=open&limit=100&resourceId=' + encodeURIComponent(res.id)).then(function (r) {
          if (r.status !== 200) throw new Error(String(r.status));
          return r.body.lightRequests.map(function (q) { return { request: q, taker: res }; });
        });
      })).then(function (lists) {
        var byId = {};
        var out = [];
        lists.forEach(function (list) {
          list.forEach(function (x) {
            if (!byId[x.request.id]) { byId[x.request.id] = { request: x.request, takers: [] }; out.push(byId[x.request.id]); }
            byId[x.request.id].takers.push(x.taker);
          });
        });
        // Oldest first, as the API orders each list.
        return out.sort(function (a, b) { return a.request.createdAt < b.request.createdAt ? -1 : a.request.createdAt > b.request.createdAt ? 1 : 0; });
      });
    }
    return Promise.all([api('GET', '/api/v1/light-requests?view=open&limit=100'), api('GET', '/api/v1/resources?active=all')]).then(function (r) {
      if (r[0].status !== 200 || r[1].status !== 200) throw new Error('load');
      resources = r[1].body.resources;
      return r[0].body.lightRequests.map(function (q) {
        // A first cut of the API's rule; the API decides and names the reason if it refuses.
        var code = (q.service || '').toUpperCase();
        var takers = resources.filter(function (res) {
          return res.active && LIGHT_KINDS.indexOf(res.kind) >= 0 && res.comuni.indexOf(q.comuneId) >= 0 && res.services.some(function (s) { return s.toUpperCase() === code; });
        });
        return { request: q, takers: takers };
      });
    });
  }

  function openItem(entry) {
    var r = entry.request;
    var li = el('li', { class: 'light-item', 'data-request': r.id, 'data-reference': r.reference });
    var h = heading(r);
    li.appendChild(h);
    li.appendChild(details([
      [t('comune'), comuneName(r.comuneId)],
      [t('requested'), r.requestedStart ? when(r.requestedStart) : t('noDay')],
      [t('received'), when(r.createdAt)],
    ]));
    if (!entry.takers.length) { li.appendChild(el('p', { class: 'hint' }, t('nobodyCanTake'))); return li; }
    var row = el('div', { class: 'row wrap light-actions' });
    var select = null;
    // A volunteer with one association just clicks; staff (or several associations) choose first.
    if (!volunteer || entry.takers.length > 1) {
      var id = 'light-taker-' + r.id;
      row.appendChild(el('label', { for: id }, t(volunteer ? 'takeFor' : 'assignTo')));
      select = el('select', { id: id });
      entry.takers.forEach(function (x) { select.appendChild(el('option', { value: x.id }, x.name)); });
      row.appendChild(select);
    }
    var button = el('button', { type: 'button', class: 'big', 'aria-describedby': h.id }, t(volunteer ? 'take' : 'assign'));
    button.addEventListener('click', function () { take(r, select ? select.value : entry.takers[0].id, button); });
    row.appendChild(button);
    li.appendChild(row);
    return li;
  }

  function take(r, resourceId, button) {
    button.disabled = true;
    api('POST', '/api/v1/light-requests/' + encodeURIComponent(r.id) + '/assignment', { resourceId: resourceId }).then(function (res) {
      if (res.status !== 200) {
        button.disabled = false;
        say(errorText(res), true);
        // Taken by someone else meanwhile: show the lists as they are now.
        if (res.status === 409 || res.status === 404) load();
        return;
      }
      say(volunteer ? t('taken', { reference: r.reference }) : t('assigned', { reference: r.reference, resource: resourceName(resourceId) }), true);
      load();
    }).catch(failed(button));
  }

  // ── Le mie richieste / Affidate ──
  function loadContact(r) {
    if (contacts[r.id] !== undefined) return Promise.resolve(contacts[r.id]);
    return api('GET', '/api/v1/light-requests/' + encodeURIComponent(r.id)).then(function (res) {
      if (res.status !== 200) return null;
      contacts[r.id] = res.body.contact;
      return contacts[r.id];
    });
  }
  function loadMine() {
    return api('GET', '/api/v1/light-requests?view=assigned&limit=100').then(function (r) {
      if (r.status !== 200) throw new Error(String(r.status));
      var list = r.body.lightRequests;
      // A volunteer needs whom to help for each of its own requests; staff ask for it one at a time.
      if (!volunteer) return list;
      return Promise.all(list.map(loadContact)).then(function () { return list; });
    });
  }

  function contactBox(box, contact) {
    box.textContent = '';
    if (!contact) { box.appendChild(el('p', { class: 'hint' }, t('noContact'))); return; }
    var rows = [[t('person'), [contact.givenName, contact.familyName].filter(Boolean).join(' ')]];
    if (contact.phone) {
      var a = el('a', { href: 'tel:' + contact.phone.replace(/[^+0-9]/g, '') }, contact.phone);
      rows.push([t('phone'), a]);
    }
    if (contact.address) rows.push([t('address'), contact.address]);
    box.appendChild(details(rows));
  }

  function scheduleForm(r) {
    var form = el('form', { class: 'light-when', novalidate: '' });
    var errId = 'light-when-' + r.id + '-error';
    var hintId = 'light-when-' + r.id + '-hint';
    var fieldset = el('fieldset', { class: 'field' });
    fieldset.appendChild(el('legend', null, t('whenLegend')));
    fieldset.appendChild(el('p', { class: 'hint', id: hintId }, t('whenHint')));
    var row = el('div', { class: 'row wrap' });
    var start = r.scheduledStart || r.requestedStart;
    var parts = start && new Date(start) > new Date() ? romeParts(new Date(start)) : ['', ''];
    var inputs = [['date', 'date', parts[0]], ['time', 'time', parts[1]]].map(function (f) {
      var id = 'light-' + f[0] + '-' + r.id;
      var wrap = el('div', { class: 'light-when-part' });
      wrap.appendChild(el('label', { for: id }, t(f[0])));
      var input = el('input', { type: f[1], id: id, name: f[0], 'aria-describedby': hintId + ' ' + errId });
      if (f[0] === 'date') input.setAttribute('min', romeParts(new Date())[0]);
      input.value = f[2];
      wrap.appendChild(input);
      row.appendChild(wrap);
      return input;
    });
    fieldset.appendChild(row);
    var error = el('p', { class: 'error', id: errId, hidden: '' });
    fieldset.appendChild(error);
    form.appendChild(fieldset);
    var submit = el('button', { type: 'submit', class: 'big' }, t('schedule'));
    form.appendChild(submit);

    function showError(text) {
      error.textContent = text;
      error.hidden = false;
      inputs.forEach(function (i) { i.setAttribute('aria-invalid', 'true'); });
      inputs[0].focus();
    }
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      error.hidden = true;
      error.textContent = '';
      inputs.forEach(function (i) { i.removeAttribute('aria-invalid'); });
      if (!inputs[0].value || !inputs[1].value) { showError(t('whenRequired')); return; }
      submit.disabled = true;
      api('POST', '/api/v1/light-requests/' + encodeURIComponent(r.id) + '/schedule', { startsAt: inputs[0].value + 'T' + inputs[1].value }).then(function (res) {
        submit.disabled = false;
        if (res.status === 200) { say(t('scheduled', { reference: r.reference, when: when(res.body.lightRequest.scheduledStart) }), true); load(); return; }
        var fields = (res.body && res.body.error && res.body.error.fields) || {};
        if (fields.startsAt) showError(fields.startsAt);
        else say(errorText(res), true);
        // Given back or reassigned meanwhile: show the lists as they are now.
        if (res.status === 409 || res.status === 404) load();
      }).catch(failed(submit));
    });
    return form;
  }

  function mineItem(r) {
    var li = el('li', { class: 'light-item light-' + r.status, 'data-request': r.id, 'data-reference': r.reference });
    var h = heading(r);
    li.appendChild(h);
    var rows = [
      [t('statusLabel'), t('status.' + r.status)],
      [t('appointment'), r.scheduledStart ? when(r.scheduledStart) : t('notYet')],
      [t('comune'), comuneName(r.comuneId)],
    ];
    if (r.requestedStart) rows.push([t('requested'), when(r.requestedStart)]);
    if (!volunteer) rows.push([t('takenBy'), resourceName(r.resourceId)]);
    li.appendChild(details(rows));
    var box = el('div', { class: 'light-contact' });
    li.appendChild(box);
    if (volunteer || contacts[r.id] !== undefined) contactBox(box, contacts[r.id]);
    else {
      var show = el('button', { type: 'button', class: 'secondary', 'aria-describedby': h.id }, t('showContact'));
      show.addEventListener('click', function () {
        show.disabled = true;
        loadContact(r).then(function (c) { contactBox(box, c); }).catch(failed(show));
      });
      box.appendChild(show);
    }
    li.appendChild(scheduleForm(r));
    var release = el('button', { type: 'button', class: 'secondary big', 'aria-describedby': h.id }, t(volunteer ? 'release' : 'releaseStaff'));
    release.addEventListener('click', function () {
      pendingRelease = { request: r, button: release };
      document.getElementById('light-confirm-text').textContent = t('releaseQuestion', { reference: r.reference });
      dialog.showModal();
    });
    var row = el('div', { class: 'row wrap light-actions' });
    row.appendChild(release);
    li.appendChild(row);
    return li;
  }

  function releaseRequest(p) {
    p.button.disabled = true;
    api('DELETE', '/api/v1/light-requests/' + encodeURIComponent(p.request.id) + '/assignment').then(function (res) {
      if (res.status !== 200) { p.button.disabled = false; say(errorText(res), true); if (res.status === 409 || res.status === 404) load(); return; }
      say(t('released', { reference: p.request.reference }), true);
      load();
    }).catch(failed(p.button));
  }
  document.getElementById('light-confirm-yes').addEventListener('click', function () {
    var p = pendingRelease;
    pendingRelease = null;
    dialog.close();
    if (p) releaseRequest(p);
  });
  document.getElementById('light-confirm-no').addEventListener('click', function () { dialog.close(); });
  // Closed without confirming (button or Escape): back to the button that opened it.
  dialog.addEventListener('close', function () {
    if (pendingRelease) { pendingRelease.button.focus(); pendingRelease = null; }
  });

  // ── Both lists ──
  function fill(list, items, render, empty) {
    list.textContent = '';
    list.setAttribute('aria-busy', 'false');
    if (!items.length) { list.appendChild(el('li', { class: 'empty' }, empty)); return; }
    items.forEach(function (x) { list.appendChild(render(x)); });
  }
  function load() {
    openList.setAttribute('aria-busy', 'true');
    mineList.setAttribute('aria-busy', 'true');
    // Staff need the resources (names, the "Affida" select) before the assigned list.
    return loadOpen().then(function (open) {
      fill(openList, open, openItem, t('emptyOpen'));
      return loadMine();
    }).then(function (mine) {
      fill(mineList, mine, mineItem, t(volunteer ? 'emptyMine' : 'emptyAssigned'));
    }).catch(function () {
      [openList, mineList].forEach(function (list) { if (list.getAttribute('aria-busy') === 'true') fill(list, [], null, t('loadFailed')); });
      say(t('loadFailed'));
    });
  }

  document.getElementById('light-refresh').addEventListener('click', function () { notice.textContent = ''; load(); });
  load();
})();
