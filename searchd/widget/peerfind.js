/*! peerfind widget v1: <peerfind-search>. Plain JavaScript, no dependencies, no build step.
 * Size: about 8.6 KB gzipped (gzip -9 -c peerfind.js | wc -c), plus 1.6 KB for peerfind.css.
 *
 * Embed it with one script tag and one element:
 *
 *   <script async src="https://HOST/widget/v1/peerfind.js"></script>
 *   <peerfind-search near="95112" ui="es"></peerfind-search>
 *
 * Attributes (all optional): near (ZIP, "City, ST" or "lat,lng"), radius
 * ("10mi"), q, category, population, condition, lang (comma-separated term
 * ids, preset filters), ui ("en" or "es"), remote (mixed, apart, exclude or
 * only: how online and phone services join the results; "true" is only,
 * "false" exclude), per-page (1-50), accent (a CSS colour for buttons and
 * links).
 *
 * Safety for the host page: every value from the API is inserted as text
 * (textContent, createElement), never as HTML; links from the data are used
 * only when they are http(s) or tel: URLs. The widget sets no cookies,
 * uses no storage and talks only to the origin it was loaded from. It runs
 * under a strict Content-Security-Policy: no inline script, no eval, no
 * style attributes; its styles come from peerfind.css on the same origin,
 * linked inside its shadow root.
 */
(function () {
  'use strict';
  if (!window.customElements || customElements.get('peerfind-search')) return;

  var script = document.currentScript;
  var BASE = new URL('.', script && script.src ? script.src : location.href);
  var API = BASE.origin + '/api/v1/';
  var CSS_URL = new URL('peerfind.css', BASE).href;

  var T = {
    en: {
      need: 'What kind of support?', needHint: 'For example: grief, anxiety, AA, family',
      where: 'Where? ZIP or city', geo: 'Use my location', search: 'Search',
      filters: 'Filters', results: 'Results', none: 'No groups match. Try fewer words or filters.',
      one: '1 result', many: '{n} results', near: ' near {p}', loading: 'Searching…',
      page: 'Page {p} of {n}', prev: 'Previous', next: 'Next', call: 'Call', site: 'Website',
      join: 'Join online', back: 'Back to results', details: 'Details', away: '{d} mi away',
      when: 'When', nextMeet: 'Next meeting', whereL: 'Where', phone: 'Phone', source: 'Source', didYouMean: 'Did you mean:',
      error: 'Search is not available right now. Please try again.', crisis: 'If you are in crisis',
      open: 'Open meeting: anyone may attend.', closed: 'Closed meeting: for people who share the problem.',
      by: 'Search by peerfind', add: 'Add to referral list', refList: 'Printable referral list ({n})', geoFail: 'Your location is not available.', cost: 'Cost',
      languages: 'Languages', kinds: 'Kind of support', forWho: 'For', attendance: 'Attendance',
      online: 'Online', phoneM: 'By phone', serves: 'Serves your area', yourTime: 'your time', nothing: 'Nothing in person nearby',
      farther: 'Nearest, farther away', remoteH: 'Online and phone groups', lines: 'National lines', text: 'Text',
      suggest: ['support group', 'grief', 'anxiety', 'depression', 'alcohol', 'family', 'warmline', 'veterans', 'LGBTQ+', 'young adults']
    },
    es: {
      need: '¿Qué tipo de apoyo busca?', needHint: 'Por ejemplo: duelo, ansiedad, AA, familia',
      where: '¿Dónde? Código postal o ciudad', geo: 'Usar mi ubicación', search: 'Buscar',
      filters: 'Filtros', results: 'Resultados', none: 'Ningún grupo coincide. Pruebe con menos palabras o filtros.',
      one: '1 resultado', many: '{n} resultados', near: ' cerca de {p}', loading: 'Buscando…',
      page: 'Página {p} de {n}', prev: 'Anterior', next: 'Siguiente', call: 'Llamar', site: 'Sitio web',
      join: 'Unirse en línea', back: 'Volver a los resultados', details: 'Detalles', away: 'a {d} mi',
      when: 'Cuándo', nextMeet: 'Próxima reunión', whereL: 'Dónde', phone: 'Teléfono', source: 'Fuente', didYouMean: '¿Quiso decir?',
      error: 'La búsqueda no está disponible ahora. Inténtelo de nuevo.', crisis: 'Si está en crisis',
      open: 'Reunión abierta: cualquier persona puede asistir.', closed: 'Reunión cerrada: para personas que comparten el problema.',
      by: 'Búsqueda de peerfind', add: 'Agregar a la lista de referencia', refList: 'Lista de referencia para imprimir ({n})', geoFail: 'Su ubicación no está disponible.', cost: 'Costo',
      languages: 'Idiomas', kinds: 'Tipo de apoyo', forWho: 'Para', attendance: 'Asistencia',
      online: 'En línea', phoneM: 'Por teléfono', serves: 'Atiende su zona', yourTime: 'su hora', nothing: 'Nada presencial cerca',
      farther: 'Los más cercanos, más lejos', remoteH: 'Grupos en línea y por teléfono', lines: 'Líneas nacionales', text: 'Texto',
      suggest: ['grupo de apoyo', 'duelo', 'ansiedad', 'depresión', 'alcohol', 'familia', 'línea de apoyo', 'veteranos', 'LGBTQ+', 'jóvenes']
    }
  };
  // Facets offered as chips, in order, and how many terms of each.
  var CHIP_FACETS = ['attendance', 'population', 'condition', 'category', 'lang'];
  var CHIPS_PER_FACET = 4;
  var uid = 0;

  function fmt(s, o) { return s.replace(/\{(\w+)\}/g, function (_, k) { return o[k]; }); }

  // el creates an element with attributes and children; strings become
  // text nodes, so data never becomes markup.
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) if (attrs[k] != null && attrs[k] !== false) e.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
    if (kids != null) add(e, kids);
    return e;
  }
  function add(e, kids) {
    [].concat(kids).forEach(function (k) {
      if (k == null || k === false || k === '') return;
      e.appendChild(typeof k === 'object' ? k : document.createTextNode(String(k)));
    });
    return e;
  }
  // safeURL returns u when it is an absolute http(s) URL, else null.
  function safeURL(u) {
    try { var p = new URL(String(u)); return p.protocol === 'https:' || p.protocol === 'http:' ? p.href : null; } catch (e) { return null; }
  }
  // telURL makes a tel: link of a phone number, or null.
  // nextMeeting shows when a group next meets, in the reader's own time
  // zone and language; nothing when the API gave no valid time.
  function nextMeeting(iso, ui, t) {
    if (typeof iso !== 'string') return null;
    var d = new Date(iso);
    if (isNaN(d.getTime())) return null;
    var s = d.toLocaleString(ui === 'es' ? 'es' : 'en-US', { weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
    return el('p', { class: 'next' }, t.nextMeet + ': ' + s);
  }

  function telURL(n) {
    var d = String(n || '').split(/[xX,;]| ext/)[0].replace(/[^\d+]/g, '').replace(/(?!^)\+/g, '');
    return d.replace('+', '').length >= 3 ? 'tel:' + d : null;
  }
  function labels(ts) { return (ts || []).map(function (t) { return t.label; }); }
  function list(v) { return String(v || '').split(',').map(function (s) { return s.trim(); }).filter(Boolean); }

  var FILTER_ATTRS = { category: 'category', population: 'population', condition: 'condition', lang: 'lang' };

  /** PeerfindSearch is the <peerfind-search> element. */
  class PeerfindSearch extends HTMLElement {
    connectedCallback() {
      if (this._root) return;
      var ui = (this.getAttribute('ui') || '').toLowerCase() === 'es' ? 'es' : 'en';
      var t = this._t = T[ui];
      this._ui = ui;
      var id = 'pf' + (++uid);
      this._state = { q: this.getAttribute('q') || '', near: this.getAttribute('near') || '', filters: {}, page: 1 };
      for (var a in FILTER_ATTRS) { var v = list(this.getAttribute(a)); if (v.length) this._state.filters[FILTER_ATTRS[a]] = v; }
      // remote: mixed, apart, exclude or only (true and false as only and
      // exclude), passed to the API.
      var remote = (this.getAttribute('remote') || '').toLowerCase();
      this._remote = { 'true': 'only', 'false': 'exclude', off: 'exclude' }[remote] || (/^(mixed|apart|exclude|only)$/.test(remote) ? remote : '');
      this._perPage = Math.min(50, Math.max(1, parseInt(this.getAttribute('per-page'), 10) || 10));
      var accent = this.getAttribute('accent');
      if (accent && window.CSS && CSS.supports('color', accent)) this.style.setProperty('--pf-accent', accent);

      var root = this._root = this.attachShadow({ mode: 'open' });
      root.appendChild(el('link', { rel: 'stylesheet', href: CSS_URL }));
      var self = this;
      var q = this._q = el('input', { id: id + 'q', type: 'search', name: 'q', autocomplete: 'off', maxlength: '200', list: id + 'l', 'aria-describedby': id + 'h' });
      q.value = this._state.q;
      var dl = this._dl = el('datalist', { id: id + 'l' }, t.suggest.map(function (s) { return el('option', { value: s }); }));
      // Suggestions from the index as the person types (names, needs,
      // categories in the UI language); the starter list when empty.
      var timer = 0;
      q.addEventListener('input', function () {
        clearTimeout(timer);
        timer = setTimeout(function () { self._suggest(q.value.trim()); }, 120);
      });
      var near = this._near = el('input', { id: id + 'n', type: 'text', name: 'near', autocomplete: 'postal-code', maxlength: '100' });
      near.value = this._state.near;
      var geo = el('button', { type: 'button', class: 'geo' }, t.geo);
      geo.addEventListener('click', function () { self._locate(); });
      var form = el('form', { role: 'search', class: 'form' }, [
        el('div', { class: 'field' }, [el('label', { for: id + 'q' }, t.need), q, dl, el('p', { id: id + 'h', class: 'hint' }, t.needHint)]),
        el('div', { class: 'field' }, [el('label', { for: id + 'n' }, t.where), el('div', { class: 'nearrow' }, [near, geo])]),
        el('button', { type: 'submit', class: 'go' }, t.search)
      ]);
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        self._state.q = q.value.trim();
        self._state.near = near.value.trim();
        self._state.page = 1;
        self._search();
      });
      this._crisis = el('section', { class: 'crisis', hidden: true, 'aria-labelledby': id + 'c' });
      this._crisisId = id + 'c';
      this._chips = el('div', { class: 'chips', role: 'group', 'aria-label': t.filters });
      this._status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
      this._list = el('ol', { class: 'results', 'aria-label': t.results });
      this._pager = el('nav', { class: 'pager', 'aria-label': t.results });
      this._more = el('div', { class: 'more' });
      this._credit = el('p', { class: 'credit' });
      // The referral list lives in memory only; its printable page on
      // peerfind's origin carries it in the URL.
      this._refs = [];
      this._refbar = el('p', { class: 'refbar', hidden: true, 'aria-live': 'polite' });
      this._main = el('div', { class: 'main' }, [this._crisis, this._chips, this._status, this._list, this._pager, this._more, this._refbar]);
      this._detail = el('section', { class: 'detail', hidden: true });
      root.appendChild(el('div', { class: 'pf', lang: ui }, [form, this._main, this._detail, this._credit]));
      this._renderCredit(null);
      if (this._state.near || this._state.q) this._search();
    }

    disconnectedCallback() { if (this._abort) this._abort.abort(); }

    // _get fetches JSON from the API on the widget's own origin: no
    // credentials, no referrer.
    _get(path, params) {
      if (this._abort) this._abort.abort();
      var ctl = this._abort = new AbortController();
      var u = new URL(path, API);
      params.forEach(function (p) { u.searchParams.append(p[0], p[1]); });
      return fetch(u.href, { credentials: 'omit', referrerPolicy: 'no-referrer', signal: ctl.signal, headers: { Accept: 'application/json' } })
        .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); });
    }

    // _suggest fills the datalist from GET /api/v1/suggest. It has its own
    // abort controller so typing never cancels a search in flight.
    _suggest(text) {
      var dl = this._dl, t = this._t;
      if (this._sabort) this._sabort.abort();
      var put = function (items) { dl.replaceChildren.apply(dl, items.map(function (s) { return el('option', { value: s }); })); };
      if (text.length < 2) { put(t.suggest); return; }
      var ctl = this._sabort = new AbortController();
      var u = new URL('/api/v1/suggest', API);
      u.searchParams.set('q', text.slice(0, 100));
      u.searchParams.set('ui', this._ui);
      fetch(u.href, { credentials: 'omit', referrerPolicy: 'no-referrer', signal: ctl.signal, headers: { Accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (b) {
          if (!b || !Array.isArray(b.suggestions)) return;
          var seen = {}, out = [];
          b.suggestions.forEach(function (s) {
            var v = s && typeof s.text === 'string' ? s.text : '';
            if (v && !seen[v.toLowerCase()]) { seen[v.toLowerCase()] = 1; out.push(v); }
          });
          put(out);
        })
        .catch(function () { /* aborted or offline: keep what is shown */ });
    }

    _params() {
      var s = this._state, p = [['ui', this._ui], ['per_page', String(this._perPage)]];
      if (s.q) p.push(['q', s.q]);
      if (s.near) p.push(['near', s.near]);
      var r = this.getAttribute('radius');
      if (s.near && r) p.push(['radius', r]);
      if (this._remote) p.push(['remote', this._remote]);
      for (var f in s.filters) if (s.filters[f].length) p.push([f, s.filters[f].join(',')]);
      if (s.page > 1) p.push(['page', String(s.page)]);
      return p;
    }

    _search() {
      var self = this, t = this._t;
      this._showList();
      this._status.textContent = t.loading;
      this._list.setAttribute('aria-busy', 'true');
      this._get('search', this._params()).then(function (res) {
        self._list.removeAttribute('aria-busy');
        if (!res.ok) return self._error(res.body);
        self._render(res.body);
      }).catch(function (e) {
        if (e && e.name === 'AbortError') return;
        self._list.removeAttribute('aria-busy');
        self._error(null);
      });
    }

    _error(body) {
      var t = this._t, self = this;
      this._list.replaceChildren();
      this._pager.replaceChildren();
      var err = body && body.error;
      this._status.replaceChildren(err && err.message ? err.message : t.error);
      if (err && err.param === 'near' && err.candidates && err.candidates.length) {
        var p = el('p', { class: 'didyou' }, t.didYouMean + ' ');
        err.candidates.slice(0, 5).forEach(function (c) {
          var b = el('button', { type: 'button', class: 'chip' }, c);
          b.addEventListener('click', function () { self._near.value = c; self._state.near = c; self._state.page = 1; self._search(); });
          p.appendChild(b);
        });
        this._status.appendChild(p);
      }
    }

    _render(r) {
      var t = this._t, self = this;
      this._renderCrisis(r.crisis);
      this._renderChips(r.facets || {});
      var total = r.total || 0;
      var msg = total === 0 ? t.none : total === 1 ? t.one : fmt(t.many, { n: total });
      if (r.location && r.location.message) msg += '. ' + r.location.message + '.';
      else if (total && r.location && r.location.name) msg += fmt(t.near, { p: r.location.name });
      this._status.textContent = msg;
      this._list.replaceChildren.apply(this._list, (r.results || []).map(function (x) { return self._item(x); }));
      this._pager.replaceChildren();
      if (r.total_pages > 1) {
        var prev = el('button', { type: 'button', disabled: r.page <= 1 }, t.prev);
        var next = el('button', { type: 'button', disabled: r.page >= r.total_pages }, t.next);
        prev.addEventListener('click', function () { self._state.page--; self._search(); });
        next.addEventListener('click', function () { self._state.page++; self._search(); });
        this._pager.append(prev, el('span', null, fmt(t.page, { p: r.page, n: r.total_pages })), next);
      }
      this._renderMore(r);
      if (r.nothing_nearby && !r.remote) this._pager.replaceChildren();
      this._renderCredit(r.location);
    }

    // _renderMore shows remote services apart (remote=apart) and, when
    // nothing in person matched, the farther matches, remote groups and
    // national lines, in that order.
    _renderMore(r) {
      var t = this._t, self = this, box = this._more, nn = r.nothing_nearby, parts = [];
      var list = function (h, xs) {
        if (xs && xs.length) parts.push(el('h2', { class: 'sub' }, h), el('ol', { class: 'results', 'aria-label': h }, xs.map(function (x) { return self._item(x, 'h3'); })));
      };
      if (r.remote) list(t.remoteH + ' (' + r.remote.total + ')', r.remote.results);
      if (nn) {
        if (!r.remote) this._list.replaceChildren();
        parts.push(el('h2', { class: 'sub' }, t.nothing), el('p', null, nn.message));
        list(t.farther, nn.farther);
        if (!r.remote) list(t.remoteH, nn.remote);
        var lines = (nn.national_lines || []).map(function (x) {
          var tel = telURL(x.phone), sms = telURL(x.sms), u = safeURL(x.url), li = el('li', null, [el('strong', null, x.name), x.hours ? ' (' + x.hours + ')' : '']);
          if (x.description) add(li, el('p', null, x.description));
          if (tel) add(li, [el('a', { href: tel, class: 'call' }, t.call + ' ' + x.phone), ' ']);
          if (sms) add(li, [el('a', { href: 'sms:' + sms.slice(4) }, t.text + ' ' + x.sms), ' ']);
          if (u) add(li, el('a', { href: u, target: '_blank', rel: 'noopener noreferrer' }, t.site));
          return li;
        });
        if (lines.length) parts.push(el('h2', { class: 'sub' }, t.lines), el('ul', { class: 'lines' }, lines));
      }
      box.replaceChildren.apply(box, parts);
    }

    _renderCrisis(c) {
      var box = this._crisis, t = this._t;
      box.replaceChildren();
      box.hidden = !c;
      if (!c) return;
      box.appendChild(el('h2', { id: this._crisisId }, (c && c.title) || t.crisis));
      if (typeof c === 'string') { box.appendChild(el('p', null, c)); return; }
      var msg = c.message || c.text || c.description;
      if (msg) box.appendChild(el('p', null, msg));
      [].concat(c.resources || c.lines || [c]).forEach(function (x) {
        if (!x || typeof x !== 'object') return;
        var tel = telURL(x.phone), sms = x.sms || x.text_number, u = safeURL(x.url);
        var p = el('p');
        if (x.name && (tel || u)) add(p, [el('strong', null, x.name), ' ']);
        if (tel) add(p, el('a', { href: tel, class: 'call' }, t.call + ' ' + x.phone));
        if (sms && telURL(sms)) add(p, [' ', el('a', { href: 'sms:' + telURL(sms).slice(4) }, 'SMS ' + sms)]);
        if (u) add(p, [' ', el('a', { href: u, target: '_blank', rel: 'noopener noreferrer' }, x.url_label || u)]);
        if (p.childNodes.length) box.appendChild(p);
      });
    }

    _renderChips(facets) {
      var self = this, s = this._state, chips = [];
      CHIP_FACETS.forEach(function (fid) {
        var f = facets[fid];
        if (!f || !f.terms) return;
        var shown = 0;
        f.terms.forEach(function (term) {
          if (!term.selected && (shown >= CHIPS_PER_FACET || !term.count)) return;
          shown++;
          var b = el('button', { type: 'button', class: 'chip', 'aria-pressed': term.selected ? 'true' : 'false', 'data-facet': fid, 'data-term': term.id },
            [term.label, el('span', { class: 'n' }, ' ' + term.count)]);
          b.addEventListener('click', function () {
            var cur = (s.filters[fid] || []).slice(), i = cur.indexOf(term.id);
            if (i >= 0) cur.splice(i, 1); else cur.push(term.id);
            s.filters[fid] = cur;
            s.page = 1;
            self._focusChip = fid + '\u0000' + term.id;
            self._search();
          });
          chips.push(term.selected ? [0, b] : [1, b]);
        });
      });
      chips.sort(function (a, b) { return a[0] - b[0]; });
      this._chips.replaceChildren.apply(this._chips, chips.map(function (c) { return c[1]; }));
      // Keep keyboard focus on the chip that was pressed.
      if (this._focusChip) {
        var k = this._focusChip.split('\u0000');
        this._focusChip = null;
        chips.forEach(function (c) { if (c[1].dataset.facet === k[0] && c[1].dataset.term === k[1]) c[1].focus(); });
      }
    }

    // _item shapes one result; its name is an h (default h2) heading.
    _item(r, h) {
      var t = this._t, self = this;
      var name = el('button', { type: 'button', class: 'name', 'aria-haspopup': 'false' }, r.name || r.id);
      name.addEventListener('click', function () { self._open(r.id, name); });
      var meta = el('p', { class: 'meta' });
      var mode = r.mode === 'online' ? t.online : r.mode === 'phone' ? t.phoneM : '';
      if (mode) add(meta, el('span', { class: 'mode' }, mode));
      if (r.serves_your_area) add(meta, el('span', { class: 'area' }, t.serves));
      if (r.distance_mi != null && (!r.mode || r.mode === 'in_person')) add(meta, el('span', null, fmt(t.away, { d: r.distance_mi })));
      labels(r.attendance).forEach(function (l) { if (l !== mode) add(meta, el('span', null, l)); });
      if (r.cost && r.cost.label) add(meta, el('span', null, r.cost.label));
      var acts = el('p', { class: 'actions' });
      var tel = telURL(r.phone), u = safeURL(r.url), join = r.meeting && safeURL(r.meeting.conference_url);
      if (tel) add(acts, el('a', { href: tel, class: 'call' }, t.call + ' ' + r.phone));
      if (join) add(acts, el('a', { href: join, target: '_blank', rel: 'noopener noreferrer' }, t.join));
      if (u) add(acts, el('a', { href: u, target: '_blank', rel: 'noopener noreferrer' }, t.site));
      var on = this._refs.indexOf(r.id) >= 0;
      var ref = el('button', { type: 'button', class: 'ref', 'aria-pressed': this._refs.indexOf(r.id) >= 0 ? 'true' : 'false' },
        [t.add, el('span', { class: 'vh' }, ': ' + (r.name || r.id))]);
      ref.addEventListener('click', function () {
        var i = self._refs.indexOf(r.id);
        if (i >= 0) self._refs.splice(i, 1); else if (self._refs.length < 20) self._refs.push(r.id);
        ref.setAttribute('aria-pressed', self._refs.indexOf(r.id) >= 0 ? 'true' : 'false');
        self._renderRefs();
      });
      add(acts, ref);
      return el('li', { class: 'result' }, [
        el(h || 'h2', { class: 'rh' }, name),
        r.organization && el('p', { class: 'org' }, r.organization),
        meta.childNodes.length ? meta : null,
        r.schedule && el('p', { class: 'when' }, r.schedule),
        r.schedule && r.schedule_your_time && el('p', { class: 'yourtime' }, r.schedule_your_time + ' — ' + t.yourTime),
        nextMeeting(r.next_meeting, this._ui, t),
        r.address && el('p', { class: 'addr' }, (r.location_name ? r.location_name + ', ' : '') + r.address),
        acts.childNodes.length ? acts : null
      ]);
    }

    _renderRefs() {
      var bar = this._refbar, n = this._refs.length;
      bar.hidden = !n;
      if (!n) { bar.replaceChildren(); return; }
      var u = new URL('/referral', BASE.origin);
      this._refs.forEach(function (id) { u.searchParams.append('id', id); });
      if (this._ui === 'es') u.searchParams.set('ui', 'es');
      bar.replaceChildren(el('a', { href: u.href, target: '_blank', rel: 'noopener' }, fmt(this._t.refList, { n: n })));
    }

    _showList() {
      this._detail.hidden = true;
      this._main.hidden = false;
    }

    // _open shows a service's detail view and moves focus to its heading;
    // Back returns focus to the result it came from.
    _open(id, from) {
      var self = this, t = this._t, d = this._detail;
      this._get('services/' + encodeURIComponent(id), [['ui', this._ui]]).then(function (res) {
        if (!res.ok) return self._error(res.body);
        var s = res.body, L = s.labels || {};
        var back = el('button', { type: 'button', class: 'back' }, '← ' + t.back);
        back.addEventListener('click', function () { self._showList(); if (from && from.isConnected) from.focus(); });
        var h = el('h2', { tabindex: '-1' }, s.name || s.id);
        var dlist = el('dl');
        function row(k, v) { if (v && (v.length === undefined || v.length)) add(dlist, [el('dt', null, k), el('dd', null, v)]); }
        row(t.when, s.schedule_summary);
        (s.locations || []).forEach(function (l) {
          var a = l.address || {};
          row(t.whereL, [l.name, [a.address_1, a.city, a.state_province, a.postal_code].filter(Boolean).join(', ')].filter(Boolean).join(' — '));
        });
        (s.phones || []).forEach(function (p) {
          var tel = telURL(p.number);
          row(t.phone, tel ? el('a', { href: tel, class: 'call' }, p.number) : p.number);
        });
        row(t.attendance, labels(L.attendance).join(', '));
        row(t.kinds, labels(L.categories).join(', '));
        row(t.forWho, labels(L.populations).join(', '));
        row(t.languages, labels(L.languages).join(', '));
        row(t.cost, L.cost && L.cost.label);
        var m = s.meeting || {}, join = safeURL(m.conference_url), u = safeURL(s.url);
        var links = el('p', { class: 'actions' });
        if (join) add(links, el('a', { href: join, target: '_blank', rel: 'noopener noreferrer' }, t.join));
        if (u) add(links, el('a', { href: u, target: '_blank', rel: 'noopener noreferrer' }, t.site));
        var pv = s.provenance || {};
        d.replaceChildren(back, h,
          s.organization && s.organization.name ? el('p', { class: 'org' }, s.organization.name) : '',
          s.description ? el('p', { class: 'desc' }, s.description) : '',
          dlist,
          m.open_closed === 'open' ? el('p', null, t.open) : m.open_closed === 'closed' ? el('p', null, t.closed) : '',
          links,
          el('p', { class: 'source' }, t.source + ': ' + (pv.source_name || (s.organization && s.organization.name) || '') + (pv.retrieved ? ' (' + pv.retrieved + ')' : '')));
        self._main.hidden = true;
        d.hidden = false;
        h.focus();
      }).catch(function (e) { if (!e || e.name !== 'AbortError') self._error(null); });
    }

    // _locate asks for the device's position, only when the person presses
    // "Use my location"; it is sent as rounded coordinates, never stored.
    _locate() {
      var self = this;
      if (!navigator.geolocation) { this._status.textContent = this._t.geoFail; return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        var v = pos.coords.latitude.toFixed(3) + ',' + pos.coords.longitude.toFixed(3);
        self._near.value = v;
        self._state.near = v;
        self._state.page = 1;
        self._search();
      }, function () { self._status.textContent = self._t.geoFail; }, { maximumAge: 600000, timeout: 15000 });
    }

    _renderCredit(loc) {
      var c = this._credit;
      c.replaceChildren(el('a', { href: BASE.origin + '/' + (this._ui === 'es' ? '?ui=es' : ''), target: '_blank', rel: 'noopener' }, this._t.by));
      if (loc && loc.attribution) add(c, [' · ', loc.attribution]);
    }
  }

  customElements.define('peerfind-search', PeerfindSearch);
})();
