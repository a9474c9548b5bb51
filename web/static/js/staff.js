/* motcua staff pages: the dashboard, the dossier list and a dossier's
   detail, filled from the JSON API with the bearer token of whoever logged
   in. The server sends every staff page as the same static shell; what a
   person may see is decided by the API alone, so this script only asks and
   shows.

   Rules kept here on purpose:
   - The token lives in sessionStorage under "motcua.token" and nowhere
     else: not in a cookie (the API is bearer-only, and a cookie would be
     sent by the browser on its own and need a CSRF defence), not in
     the browser's lasting storage (it would outlive the tab), never in a URL (it would reach
     logs and the history).
   - Text from the API is inserted with textContent and createElement only,
     so nothing a citizen typed (a name, a title) can become markup.
   - No inline handler or style: the pages' Content-Security-Policy forbids
     them, so events are bound with addEventListener and the look is in
     the style sheets. */
(() => {
  'use strict';

  const TOKEN_KEY = 'motcua.token';
  // The zone the service counts months and shows times in, when the page
  // does not name a usable one.
  const DEFAULT_ZONE = 'Asia/Ho_Chi_Minh';

  const byId = (id) => document.getElementById(id);
  const root = byId('staff');
  if (!root) {
    return;
  }
  const page = document.body.dataset.page;
  const zone = usableZone(root.dataset.zone);

  // The labels people read; the same words as the citizen pages.
  const STATUS = {
    submitted: 'Đã nộp trực tuyến, chờ tiếp nhận',
    received: 'Đã tiếp nhận',
    rejected: 'Không được tiếp nhận',
    processing: 'Đang giải quyết',
    supplement_requested: 'Cần bổ sung hồ sơ',
    awaiting_payment: 'Chờ nộp phí, lệ phí',
    withdrawn: 'Đã rút hồ sơ',
    stopped: 'Dừng giải quyết',
    resolved: 'Đã có kết quả, chờ nhận',
    returned: 'Đã trả kết quả',
  };
  const ACTION = {
    submit: 'Nộp hồ sơ trực tuyến',
    receive: 'Tiếp nhận hồ sơ',
    accept: 'Tiếp nhận hồ sơ trực tuyến',
    reject: 'Từ chối tiếp nhận',
    start: 'Chuyển xử lý',
    transfer: 'Chuyển đơn vị xử lý',
    request_supplement: 'Yêu cầu bổ sung hồ sơ',
    supplement: 'Đã bổ sung hồ sơ',
    request_payment: 'Yêu cầu nộp phí, lệ phí',
    confirm_payment: 'Đã nộp phí, lệ phí',
    resolve: 'Có kết quả giải quyết',
    return: 'Đã trả kết quả',
    withdraw: 'Rút hồ sơ',
    stop: 'Dừng giải quyết',
    reschedule: 'Hẹn lại ngày trả kết quả',
    import: 'Chuyển từ hệ thống cũ',
  };
  const FEEDBACK_STATUS = {
    received: 'Đã tiếp nhận',
    processing: 'Đang xử lý',
    answered: 'Đã trả lời',
    refused: 'Từ chối xử lý',
  };
  const CHANNEL = { direct: 'Trực tiếp', online: 'Trực tuyến', postal: 'Qua bưu chính' };
  const ROLE = {
    admin: 'Quản trị',
    clerk: 'Cán bộ tiếp nhận',
    officer: 'Chuyên viên xử lý',
    leader: 'Lãnh đạo',
    viewer: 'Theo dõi, thống kê',
  };
  // The columns of report form 06, as the API names them.
  const FIGURE = {
    received_total: 'Tổng số hồ sơ tiếp nhận',
    received_online: 'Tiếp nhận trực tuyến',
    received_direct_postal: 'Tiếp nhận trực tiếp, qua bưu chính',
    carried_over: 'Kỳ trước chuyển sang',
    resolved_total: 'Đã giải quyết',
    resolved_early: 'Giải quyết trước hạn',
    resolved_on_time: 'Giải quyết đúng hạn',
    resolved_late: 'Giải quyết quá hạn',
    in_progress_total: 'Đang giải quyết',
    in_progress_within: 'Đang giải quyết trong hạn',
    in_progress_overdue: 'Đang giải quyết quá hạn',
    withdrawn: 'Rút hồ sơ',
    stopped: 'Dừng giải quyết',
    rejected: 'Từ chối tiếp nhận',
    on_time_rate: 'Tỷ lệ giải quyết đúng hạn',
    online_rate: 'Tỷ lệ tiếp nhận trực tuyến',
    on_spot_resolved: 'Giải quyết tại chỗ',
    on_spot_rate: 'Tỷ lệ giải quyết tại chỗ',
  };
  // The agency table's figure columns, in the order of its head.
  const AGENCY_FIELDS = ['received_total', 'resolved_total', 'resolved_early', 'resolved_on_time',
    'resolved_late', 'in_progress_overdue', 'on_time_rate', 'online_rate', 'on_spot_rate'];

  const label = (table, key) => (Object.prototype.hasOwnProperty.call(table, key) ? table[key] : String(key));

  // ---- the token

  const token = {
    get() {
      try {
        return sessionStorage.getItem(TOKEN_KEY);
      } catch (_) {
        return null;
      }
    },
    // set reports whether the browser kept it (storage can be disabled).
    set(t) {
      try {
        sessionStorage.setItem(TOKEN_KEY, t);
        return sessionStorage.getItem(TOKEN_KEY) === t;
      } catch (_) {
        return false;
      }
    },
    clear() {
      try {
        sessionStorage.removeItem(TOKEN_KEY);
      } catch (_) {
        // Nothing was kept, so nothing is left to clear.
      }
    },
  };

  // ---- building the page

  // el makes an element. attrs are attributes (a value of null, undefined
  // or false leaves one out), but "text" sets the text and "class" the
  // class; children are nodes or strings, and strings become text nodes.
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) {
        continue;
      }
      if (k === 'text') {
        e.textContent = String(v);
      } else if (k === 'class') {
        e.className = v;
      } else if (k === 'style' || /^on/i.test(k)) {
        // The policy would refuse them anyway; failing here finds the
        // mistake in development rather than as a silent no-op.
        throw new Error('staff.js: no inline ' + k);
      } else {
        e.setAttribute(k, v === true ? '' : String(v));
      }
    }
    for (const c of children) {
      if (c !== null && c !== undefined) {
        e.append(c);
      }
    }
    return e;
  }

  // ---- numbers and times, written as Vietnamese writes them

  // formatCount writes 9796 as "9.796".
  function formatCount(n) {
    const s = String(Math.trunc(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
    return (n < 0 ? '-' : '') + s;
  }

  // formatRate writes 99.97 as "99,97 %" and a rate without a denominator
  // (null) as "—", like the citizen pages.
  function formatRate(v) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      return '—';
    }
    const [whole, frac] = Math.abs(v).toFixed(2).split('.');
    return (v < 0 ? '-' : '') + formatCount(Number(whole)) + ',' + frac + ' %';
  }

  function usableZone(z) {
    if (!z) {
      return DEFAULT_ZONE;
    }
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone: z });
      return z;
    } catch (_) {
      return DEFAULT_ZONE;
    }
  }

  const clock = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  });

  function clockParts(d) {
    const out = {};
    for (const p of clock.formatToParts(d)) {
      out[p.type] = p.value;
    }
    return out;
  }

  // formatTime writes an instant as dd/MM/yyyy HH:mm in the service's zone.
  function formatTime(iso) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) {
      return String(iso);
    }
    const p = clockParts(d);
    return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
  }

  // timeEl is a <time> for an instant of the API, or "—" for null.
  function timeEl(iso) {
    if (!iso) {
      return document.createTextNode('—');
    }
    return el('time', { datetime: iso, text: formatTime(iso) });
  }

  // setTime fills an existing <time> (the detail's #due-at, …).
  function setTime(e, iso) {
    if (iso) {
      e.setAttribute('datetime', iso);
      e.textContent = formatTime(iso);
    } else {
      e.removeAttribute('datetime');
      e.textContent = '—';
    }
  }

  // thisMonth is YYYY-MM of now in the service's zone: the month the
  // service counts, whatever the zone of the browser.
  function thisMonth() {
    const p = clockParts(new Date());
    return `${p.year}-${p.month}`;
  }

  // monthsEndingWith lists the n months up to month, oldest first.
  function monthsEndingWith(month, n) {
    let [y, m] = month.split('-').map(Number);
    const out = [];
    for (let i = 0; i < n; i++) {
      out.unshift(`${y}-${String(m).padStart(2, '0')}`);
      m -= 1;
      if (m === 0) {
        m = 12;
        y -= 1;
      }
    }
    return out;
  }

  // monthLabel writes 2026-08 as "08/2026"; short as "08/26".
  function monthLabel(month, short) {
    const [y, m] = month.split('-');
    return `${m}/${short ? y.slice(2) : y}`;
  }

  // ---- the API

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  // api calls the JSON API and answers its body, or throws an ApiError with
  // the API's code and Vietnamese message. A 401 to a call that carried the
  // current token ends the session: the token has expired or was revoked.
  async function api(path, opts = {}) {
    const headers = { Accept: 'application/json' };
    const t = opts.auth === false ? null : token.get();
    if (t) {
      headers.Authorization = 'Bearer ' + t;
    }
    let body;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let res;
    try {
      // credentials "omit": the API reads the bearer header only, so the
      // citizen pages' cookies have no business going with these calls.
      res = await fetch(path, { method: opts.method || 'GET', headers, body, credentials: 'omit', cache: 'no-store' });
    } catch (_) {
      throw new ApiError(0, 'network', 'Không kết nối được với máy chủ; vui lòng thử lại.');
    }
    let data = null;
    if (res.status !== 204) {
      try {
        data = await res.json();
      } catch (_) {
        data = null;
      }
    }
    if (res.ok) {
      return data;
    }
    const e = (data && data.error) || {};
    const err = new ApiError(res.status, e.code || (res.status === 403 ? 'forbidden' : 'http_' + res.status),
      e.message || 'Lỗi hệ thống; vui lòng thử lại sau.');
    // Only the current token's refusal signs out: a late answer to a
    // token that was already replaced must not end the new session.
    if (res.status === 401 && t && t === token.get()) {
      signOut(err.message);
    }
    throw err;
  }

  const signedOut = (e) => e && e.status === 401;

  // ---- the session

  // pristine is #staff-app as the server sent it. Signing out puts a fresh
  // copy back, so nothing the last session showed (names, figures) stays
  // in the page, and every listener inside goes with it.
  let pristine = null;

  function setLoginError(message) {
    const box = byId('login-error');
    box.textContent = message || '';
    box.hidden = !message;
  }

  function setStatus(message) {
    byId('staff-status').textContent = message || '';
  }

  // showLogin clears the token and the page and shows the login form, with
  // message (the API's reason) in #login-error.
  function showLogin(message) {
    token.clear();
    const app = byId('staff-app');
    const fresh = pristine.cloneNode(true);
    fresh.hidden = true;
    app.replaceWith(fresh);
    const code = byId('code');
    if (code) {
      code.textContent = '';
    }
    delete document.body.dataset.error;
    setStatus('');
    setLoginError(message);
    byId('login-form').hidden = false;
  }

  function signOut(message) {
    showLogin(message);
    byId('username').focus();
  }

  async function onLogin(ev) {
    ev.preventDefault();
    const user = byId('username');
    const pass = byId('password');
    const submit = byId('login-submit');
    setLoginError('');
    if (!user.value.trim() || !pass.value) {
      setLoginError('Vui lòng nhập tên đăng nhập và mật khẩu.');
      (user.value.trim() ? pass : user).focus();
      return;
    }
    submit.disabled = true;
    try {
      const r = await api('/api/v1/auth/login', {
        method: 'POST', auth: false, body: { username: user.value.trim(), password: pass.value },
      });
      if (!r || typeof r.access_token !== 'string' || !r.access_token) {
        throw new ApiError(0, 'internal', 'Máy chủ trả lời không đúng; vui lòng thử lại sau.');
      }
      if (!token.set(r.access_token)) {
        throw new ApiError(0, 'storage', 'Trình duyệt không cho lưu phiên làm việc (sessionStorage); hãy cho phép rồi thử lại.');
      }
      pass.value = '';
      start();
    } catch (e) {
      // 401 (wrong name or password, the same answer for both) and 429
      // (too many tries) carry the API's own words.
      pass.value = '';
      setLoginError(e.message);
      pass.focus();
    } finally {
      submit.disabled = false;
    }
  }

  async function onLogout() {
    const t = token.get();
    showLogin('');
    setStatus('Đã đăng xuất.');
    byId('username').focus();
    if (!t) {
      return;
    }
    // The API revokes the account's tokens, so a copy of this one is worth
    // nothing either. The page has already forgotten it whatever the
    // answer.
    try {
      await fetch('/api/v1/auth/logout', {
        method: 'POST', headers: { Authorization: 'Bearer ' + t }, credentials: 'omit', cache: 'no-store',
      });
    } catch (_) {
      // Offline: the token still expires on its own.
    }
  }

  // start shows the page for the token in sessionStorage.
  function start() {
    byId('login-form').hidden = true;
    setLoginError('');
    setStatus('');
    const app = byId('staff-app');
    app.hidden = false;
    byId('logout').addEventListener('click', onLogout);
    whoAmI(byId('whoami'));
    if (page === 'staff') {
      dashboard();
    } else if (page === 'staff-dossiers') {
      dossierList();
    } else if (page === 'staff-dossier') {
      dossierDetail();
    }
  }

  async function whoAmI(box) {
    try {
      const me = await api('/api/v1/auth/me');
      box.textContent = `${me.name || me.username} · ${label(ROLE, me.role)} · ${me.unit_name || 'Toàn tỉnh'}`;
    } catch (e) {
      if (!signedOut(e)) {
        box.textContent = '';
      }
    }
  }

  // partError puts the API's refusal in place of a part of the page: its
  // heading stays, the rest is hidden, and one element carries the API's
  // code in data-error and its message.
  function partError(part, e) {
    for (const child of part.children) {
      if (!/^H[1-6]$/.test(child.tagName)) {
        child.hidden = true;
      }
    }
    part.append(el('p', { class: 'alert', 'data-error': e.code, text: e.message }));
  }

  // ---- figures

  const isRate = (v) => v !== null && typeof v === 'object' && 'numerator' in v && 'denominator' in v;

  // figure makes the element showing one figure of a form-06 row, with the
  // raw value in data-value (and a rate's numerator and denominator), so a
  // reader's tool does not have to parse "9.796" or "99,97 %".
  function figure(tag, field, v, attrs) {
    const e = el(tag, Object.assign({ 'data-field': field }, attrs || {}));
    if (isRate(v)) {
      e.dataset.value = typeof v.value === 'number' ? String(v.value) : '';
      e.dataset.numerator = String(v.numerator);
      e.dataset.denominator = String(v.denominator);
      e.textContent = formatRate(v.value);
    } else if (typeof v === 'number') {
      e.dataset.value = String(v);
      e.textContent = formatCount(v);
    } else {
      e.dataset.value = '';
      e.textContent = '—';
    }
    return e;
  }

  // sortValue is what a column sorts by: a number, a name, or null.
  function sortValue(v) {
    if (isRate(v)) {
      return typeof v.value === 'number' ? v.value : null;
    }
    return typeof v === 'number' || typeof v === 'string' ? v : null;
  }

  // ---- the dashboard

  function dashboard() {
    const month = thisMonth();
    const parts = { form06: byId('form06'), trend: byId('trend'), agencies: byId('agencies') };
    parts.form06.dataset.month = month;
    loadStatistics(month, parts);
    loadOverdue(byId('overdue'));
    loadFeedbackDue(byId('feedback-due'));
  }

  const form06Path = (month) => `/api/v1/stats/dossiers?month=${encodeURIComponent(month)}&group_by=agency`;

  // loadStatistics fills the three statistics parts from one form-06
  // answer (and eleven more for the trend). A clerk or officer gets 403
  // for the first, which then stands in each part; the trend is not asked
  // for at all.
  async function loadStatistics(month, parts) {
    let f;
    try {
      f = await api(form06Path(month));
    } catch (e) {
      if (!signedOut(e)) {
        for (const part of Object.values(parts)) {
          partError(part, e);
        }
      }
      return;
    }
    renderForm06(parts.form06, f);
    renderAgencies(parts.agencies, Array.isArray(f.rows) ? f.rows : []);
    await renderTrend(parts.trend, month, f.total);
  }

  function renderForm06(part, f) {
    const period = f.period && f.period.label ? f.period.label : monthLabel(part.dataset.month);
    const scope = f.scope && f.scope.label ? f.scope.label : '';
    part.querySelector('#form06-period').textContent = scope ? `${period} · ${scope}` : period;
    const box = part.querySelector('#form06-figures');
    box.replaceChildren();
    for (const [field, v] of Object.entries(f.total || {})) {
      box.append(el('div', { class: 'figure' },
        figure('span', field, v, { class: 'big' }),
        el('span', { class: 'figure-label', text: label(FIGURE, field) })));
    }
  }

  function renderAgencies(part, rows) {
    const table = part.querySelector('#agency-table');
    const tbody = table.tBodies[0];
    const items = rows.map((r, index) => {
      const name = r.name || r.group || 'Không xác định';
      const tr = el('tr', { 'data-agency': r.group === undefined ? '' : r.group });
      tr.append(el('th', { scope: 'row', 'data-field': 'name', 'data-value': name, text: name }));
      const values = { name };
      for (const field of AGENCY_FIELDS) {
        tr.append(figure('td', field, r[field]));
        values[field] = sortValue(r[field]);
      }
      return { tr, values, index };
    });
    tbody.replaceChildren(...items.map((x) => x.tr));
    if (items.length === 0) {
      tbody.append(el('tr', {}, el('td', { colspan: AGENCY_FIELDS.length + 1, text: 'Chưa có số liệu trong tháng.' })));
      return;
    }
    const heads = Array.from(table.tHead.querySelectorAll('th[data-field]'));
    let sortedBy = null;
    let direction = 1;
    for (const th of heads) {
      const button = th.querySelector('button');
      if (!button) {
        continue;
      }
      button.addEventListener('click', () => {
        const field = th.dataset.field;
        // A first click sorts ascending, the next one on the same column
        // descending, and so on.
        direction = sortedBy === field && direction === 1 ? -1 : 1;
        sortedBy = field;
        for (const h of heads) {
          h.removeAttribute('aria-sort');
        }
        th.setAttribute('aria-sort', direction === 1 ? 'ascending' : 'descending');
        const sorted = items.slice().sort((a, b) =>
          compareValues(a.values[field], b.values[field], direction) || a.index - b.index);
        tbody.append(...sorted.map((x) => x.tr));
      });
    }
  }

  // compareValues orders two column values; a missing one (a rate without
  // a denominator) goes last whichever the direction, since "no figure" is
  // neither high nor low.
  function compareValues(a, b, direction) {
    const aNone = a === null || a === undefined;
    const bNone = b === null || b === undefined;
    if (aNone || bNone) {
      return aNone === bNone ? 0 : aNone ? 1 : -1;
    }
    if (typeof a === 'string' || typeof b === 'string') {
      return direction * String(a).localeCompare(String(b), 'vi');
    }
    return direction * (a - b);
  }

  async function renderTrend(part, month, total) {
    const months = monthsEndingWith(month, 12);
    const answers = await Promise.all(months.map((m) => {
      if (m === month) {
        return Promise.resolve({ rate: total ? total.on_time_rate : null });
      }
      return api(form06Path(m)).then((r) => ({ rate: r && r.total ? r.total.on_time_rate : null }), (error) => ({ error }));
    }));
    if (answers.some((a) => signedOut(a.error))) {
      return;
    }
    const tbody = part.querySelector('#trend-table').tBodies[0];
    tbody.replaceChildren();
    const values = [];
    for (let i = 0; i < months.length; i++) {
      const a = answers[i];
      const tr = el('tr', { 'data-month': months[i] }, el('th', { scope: 'row', text: monthLabel(months[i]) }));
      if (a.error) {
        tr.append(el('td', { 'data-field': 'on_time_rate', 'data-value': '', 'data-error': a.error.code, text: '—' }),
          el('td', { text: a.error.message }));
        values.push(null);
      } else {
        const rate = isRate(a.rate) ? a.rate : null;
        tr.append(figure('td', 'on_time_rate', rate),
          el('td', { text: rate ? `${formatCount(rate.numerator)} / ${formatCount(rate.denominator)}` : '—' }));
        values.push(rate && typeof rate.value === 'number' ? rate.value : null);
      }
      tbody.append(tr);
    }
    drawTrend(part.querySelector('#trend-chart'), months, values);
  }

  // drawTrend draws the on-time rate of each month with uPlot, which
  // styles through the CSSOM and so works under the pages' policy. The
  // table below it holds the same figures for whoever cannot see it.
  function drawTrend(box, months, values) {
    if (typeof window.uPlot !== 'function') {
      box.hidden = true;
      return;
    }
    box.replaceChildren();
    const xs = months.map((_, i) => i);
    const width = () => Math.max(280, box.clientWidth || 600);
    const opts = {
      width: width(),
      height: 260,
      scales: { x: { time: false, range: [-0.5, months.length - 0.5] }, y: { range: [0, 100] } },
      axes: [
        {
          splits: () => xs,
          // Every month when there is room, every other one on a phone.
          values: (u, splits) => splits.map((i) => (u.width >= 560 || i % 2 === months.length % 2 ? monthLabel(months[i], true) : '')),
        },
        { values: (u, splits) => splits.map((v) => `${v} %`), size: 56 },
      ],
      series: [
        { label: 'Tháng', value: (u, i) => (i === null || months[i] === undefined ? '—' : monthLabel(months[i])) },
        {
          label: 'Tỷ lệ đúng hạn',
          stroke: '#0b4f9c',
          width: 2,
          points: { show: true, size: 7, fill: '#0b4f9c' },
          value: (u, v) => formatRate(v),
        },
      ],
    };
    const chart = new window.uPlot(opts, [xs, values], box);
    let pending = 0;
    window.addEventListener('resize', () => {
      if (!box.isConnected) {
        return;
      }
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(() => chart.setSize({ width: width(), height: 260 }));
    });
  }

  // listSummary writes "N … ; showing the newest k" over a short list.
  function listSummary(total, shown, noun, none) {
    if (total === 0) {
      return none;
    }
    const more = total > shown ? `; hiện ${formatCount(shown)} mục mới nhất` : '';
    return `${formatCount(total)} ${noun}${more}.`;
  }

  async function loadOverdue(part) {
    let r;
    try {
      r = await api('/api/v1/dossiers?overdue=true&page_size=20');
    } catch (e) {
      if (!signedOut(e)) {
        partError(part, e);
      }
      return;
    }
    const items = Array.isArray(r.items) ? r.items : [];
    part.dataset.total = String(r.total);
    part.querySelector('#overdue-summary').textContent =
      listSummary(r.total, items.length, 'hồ sơ quá hạn', 'Không có hồ sơ quá hạn.');
    const list = part.querySelector('#overdue-list');
    list.replaceChildren(...items.map((d) => el('li', {},
      el('a', { href: dossierHref(d.code), text: d.code }),
      ` — ${d.applicant && d.applicant.name ? d.applicant.name : ''} — hạn `,
      timeEl(d.due_at))));
  }

  async function loadFeedbackDue(part) {
    let r;
    try {
      r = await api('/api/v1/feedback?due_within=3&page_size=20');
    } catch (e) {
      if (!signedOut(e)) {
        partError(part, e);
      }
      return;
    }
    const items = Array.isArray(r.items) ? r.items : [];
    part.dataset.total = String(r.total);
    part.querySelector('#feedback-due-summary').textContent =
      listSummary(r.total, items.length, 'phản ánh, kiến nghị', 'Không có phản ánh, kiến nghị nào sắp đến hạn.');
    const list = part.querySelector('#feedback-due-list');
    list.replaceChildren(...items.map((f) => el('li', { 'data-code': f.code },
      el('strong', { text: f.code }),
      ` — ${f.title || ''} — ${label(FEEDBACK_STATUS, f.status)} — hạn trả lời `,
      timeEl(f.due_at))));
  }

  const dossierHref = (code) => '/quan-tri/ho-so/' + encodeURIComponent(code);

  // ---- the dossier list

  // The list's filters the address bar may carry; the API gets these and
  // nothing else from it.
  const LIST_PARAMS = ['overdue', 'status', 'q', 'page'];

  function listHref(params, pageNo) {
    const q = new URLSearchParams();
    for (const k of LIST_PARAMS) {
      const v = k === 'page' ? (pageNo > 1 ? String(pageNo) : '') : params.get(k);
      if (v) {
        q.set(k, v);
      }
    }
    const s = q.toString();
    return '/quan-tri/ho-so' + (s ? '?' + s : '');
  }

  async function dossierList() {
    const here = new URLSearchParams(location.search);
    const query = new URLSearchParams();
    for (const k of LIST_PARAMS) {
      const v = here.get(k);
      if (v) {
        query.set(k, v);
      }
    }
    byId('filter-q').value = here.get('q') || '';
    byId('filter-status').value = here.get('status') || '';
    byId('filter-overdue').checked = here.get('overdue') === 'true';
    const part = byId('dossiers');
    let r;
    try {
      const s = query.toString();
      r = await api('/api/v1/dossiers' + (s ? '?' + s : ''));
    } catch (e) {
      if (!signedOut(e)) {
        partError(part, e);
      }
      return;
    }
    const items = Array.isArray(r.items) ? r.items : [];
    const pageNo = r.page || 1;
    const size = r.page_size || items.length || 1;
    const pages = Math.max(1, Math.ceil(r.total / size));
    part.dataset.total = String(r.total);
    byId('dossiers-summary').textContent = r.total === 0
      ? 'Không có hồ sơ nào khớp với điều kiện lọc.'
      : `${formatCount(r.total)} hồ sơ · trang ${formatCount(pageNo)}/${formatCount(pages)}.`;
    const tbody = byId('dossier-table').tBodies[0];
    tbody.replaceChildren(...items.map((d) => el('tr', { 'data-code': d.code },
      el('td', {}, el('a', { href: dossierHref(d.code), text: d.code })),
      el('td', { text: d.applicant && d.applicant.name ? d.applicant.name : '' }),
      el('td', { text: d.procedure_code || '' }),
      el('td', {}, el('span', { class: 'status', 'data-status': d.status, text: label(STATUS, d.status) })),
      el('td', {}, timeEl(d.received_at)),
      el('td', {}, timeEl(d.due_at)))));
    const pager = byId('pager');
    pager.replaceChildren();
    if (pageNo > 1) {
      pager.append(el('a', { href: listHref(here, Math.min(pageNo - 1, pages)), rel: 'prev', text: '← Trang trước' }));
    }
    if (pageNo < pages) {
      pager.append(el('a', { href: listHref(here, pageNo + 1), rel: 'next', text: 'Trang sau →' }));
    }
  }

  // ---- one dossier

  function notFound() {
    const box = byId('dossier-error');
    box.replaceChildren(
      el('p', { class: 'alert', role: 'alert', 'data-error': 'not_found', text: 'Không tìm thấy hồ sơ' }),
      el('p', { class: 'hint', text: 'Mã hồ sơ không đúng, hoặc hồ sơ không thuộc phạm vi của bạn.' }));
    box.hidden = false;
    document.body.dataset.error = 'not_found';
  }

  // codeFromPath is the dossier code of /quan-tri/ho-so/{code}, "" when the
  // path holds none.
  function codeFromPath() {
    const prefix = '/quan-tri/ho-so/';
    if (!location.pathname.startsWith(prefix)) {
      return '';
    }
    try {
      const code = decodeURIComponent(location.pathname.slice(prefix.length));
      return code.includes('/') ? '' : code;
    } catch (_) {
      return '';
    }
  }

  // nameInto replaces a code shown in e with "name (code)" once the
  // catalogue answers; the code alone stays when it does not.
  async function nameInto(e, path, code) {
    if (!code) {
      return;
    }
    try {
      const x = await api(path + encodeURIComponent(code));
      if (x && x.name && e.isConnected) {
        e.textContent = `${x.name} (${code})`;
      }
    } catch (_) {
      // The code is enough to work with.
    }
  }

  async function dossierDetail() {
    const code = codeFromPath();
    if (!code) {
      notFound();
      return;
    }
    let d;
    try {
      d = await api('/api/v1/dossiers/' + encodeURIComponent(code));
    } catch (e) {
      if (e.status === 404) {
        notFound();
      } else if (!signedOut(e)) {
        const box = byId('dossier-error');
        box.replaceChildren(el('p', { class: 'alert', role: 'alert', 'data-error': e.code, text: e.message }));
        box.hidden = false;
        document.body.dataset.error = e.code;
      }
      return;
    }
    byId('code').textContent = d.code;
    const status = byId('status');
    status.dataset.status = d.status;
    status.textContent = label(STATUS, d.status);
    const a = d.applicant || {};
    byId('applicant').textContent = a.organization ? `${a.name} (${a.organization})` : a.name || '';
    const procedure = byId('procedure');
    procedure.textContent = d.procedure_code || '';
    byId('channel').textContent = label(CHANNEL, d.channel) + (d.on_spot ? ' · giải quyết tại chỗ' : '');
    const agency = byId('agency');
    agency.textContent = d.agency_code || '';
    const holder = byId('holder');
    holder.textContent = d.holder_unit || '';
    setTime(byId('received-at'), d.received_at);
    setTime(byId('due-at'), d.due_at);
    setTime(byId('appointment-at'), d.appointment_at);
    byId('dossier').hidden = false;
    // The history is append-only and the API sends it oldest first; the
    // sort (stable) only guards that order.
    const history = (Array.isArray(d.history) ? d.history.slice() : [])
      .sort((x, y) => (Date.parse(x.at) || 0) - (Date.parse(y.at) || 0));
    byId('history').replaceChildren(...history.map((h) => {
      const move = h.from ? `${label(STATUS, h.from)} → ${label(STATUS, h.to)}` : label(STATUS, h.to);
      const who = h.by ? ` — ${h.by}${h.unit ? ` (${h.unit})` : ''}` : '';
      return el('li', { 'data-action': h.action },
        timeEl(h.at), ` — ${label(ACTION, h.action)}: ${move}${who}`,
        h.note ? el('span', { class: 'note', text: ` — ${h.note}` }) : null);
    }));
    byId('history-section').hidden = false;
    nameInto(procedure, '/api/v1/procedures/', d.procedure_code);
    nameInto(agency, '/api/v1/agencies/', d.agency_code);
    nameInto(holder, '/api/v1/agencies/', d.holder_unit);
  }

  // ---- start

  function init() {
    const app = byId('staff-app');
    const form = byId('login-form');
    if (!app || !form) {
      return;
    }
    pristine = app.cloneNode(true);
    form.addEventListener('submit', onLogin);
    if (token.get()) {
      start();
    } else {
      showLogin('');
    }
  }

  init();
})();
