// meetboard client script: live-status dot (and the banner when the live
// connection is lost), elapsed times, copy buttons, the filter box, and
// keeping the row being read in place across live swaps (times.js shows
// the times themselves). No framework, no eval, no inline styles;
// all listeners are delegated on document so swapped-in fragments just work.
(function () {
  'use strict';

  // Close codes after which htmx-ext-ws 2.0.4 schedules a reconnect
  // (its socket.onclose); any other code ends the connection for good.
  var RECONNECT_CODES = [1006, 1011, 1012, 1013];
  var STATES = {
    connecting: 'Connecting…',
    live: 'Live',
    reconnecting: 'Reconnecting…',
    off: 'Not live'
  };
  // What the banner under the header says while the page may be stale.
  var BANNERS = {
    reconnecting: 'Connection lost. Reconnecting… what this page shows may be out of date.',
    off: 'Live updates stopped: what this page shows may be out of date. Reload the page to catch up.'
  };
  var wasLive = false;
  var liveState = null;

  function pad(n) { return (n < 10 ? '0' : '') + n; }

  function setLive(state) {
    liveState = state;
    var dot = document.getElementById('live-status');
    var text = document.getElementById('live-status-text');
    if (dot) {
      dot.setAttribute('data-state', state);
      dot.setAttribute('title', STATES[state]);
    }
    if (text && text.textContent !== STATES[state]) text.textContent = STATES[state];
    // Once live, losing the socket shows a banner and dims the page.
    if (state === 'live') wasLive = true;
    var msg = state === 'reconnecting' || (state === 'off' && wasLive) ? BANNERS[state] : '';
    var banner = document.getElementById('live-banner');
    if (banner && banner.textContent !== msg) banner.textContent = msg;
    if (banner) banner.hidden = !msg;
    document.documentElement.toggleAttribute('data-stale', !!msg);
  }

  // The sticky header's height, for what sticks below it (table heads).
  function headerHeight() {
    var h = document.querySelector('header.top');
    if (h) document.documentElement.style.setProperty('--header-h', h.offsetHeight + 'px');
  }

  function elapsed(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + 's';
    var m = Math.floor(s / 60);
    if (m < 60) return m + 'm ' + pad(s % 60) + 's';
    var h = Math.floor(m / 60);
    if (h < 24) return h + 'h ' + pad(m % 60) + 'm';
    return Math.floor(h / 24) + 'd ' + pad(h % 24) + 'h';
  }

  // tick sets each elapsed time; with onlyNew, only those not set yet (a
  // swap brought them). The start is kept on the element once read, and a
  // lone text node is changed in place: a board of hundreds of rooms ticks
  // every second.
  function tick(onlyNew) {
    var now = Date.now();
    var els = document.querySelectorAll('time[data-since]');
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (onlyNew && el.mbSince !== undefined) continue;
      if (el.mbSince === undefined) el.mbSince = Date.parse(el.getAttribute('data-since'));
      if (isNaN(el.mbSince)) continue;
      var s = elapsed(now - el.mbSince), text = el.firstChild;
      if (text && text.nodeType === 3 && !text.nextSibling) {
        if (text.data !== s) text.data = s;
      } else if (el.textContent !== s) {
        el.textContent = s;
      }
    }
  }

  // A single ws message fires htmx:oobAfterSwap once per swapped element (and
  // more), so coalesce all refresh requests into one per animation frame.
  var pending = false;
  function refresh() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () {
      pending = false;
      tick(true);
      var dot = document.getElementById('live-status');
      if (liveState && dot && dot.getAttribute('data-state') !== liveState) setLive(liveState);
    });
  }

  // Legacy path for plain-http deployments (no async clipboard API there).
  function copyFallback(text) {
    var ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.classList.add('copy-buffer'); // positioned off-screen by app.css
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    ta.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error('copy failed'));
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return copyFallback(text); });
    }
    return copyFallback(text);
  }

  var timers = new WeakMap();
  function flash(btn, label) {
    if (!btn.hasAttribute('data-label')) btn.setAttribute('data-label', btn.textContent);
    btn.textContent = label;
    clearTimeout(timers.get(btn));
    timers.set(btn, setTimeout(function () {
      btn.textContent = btn.getAttribute('data-label');
    }, 1500));
  }

  document.addEventListener('click', function (e) {
    var btn = e.target.closest && e.target.closest('button.copy[data-copy]');
    if (!btn) return;
    var text = btn.getAttribute('data-copy');
    // A permalink is a path of this dashboard: copied whole, for a ticket.
    if (/^\/(?!\/)/.test(text)) text = location.origin + text;
    copyText(text).then(
      function () { flash(btn, 'Copied'); },
      function () { flash(btn, 'Copy failed'); });
  });

  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') return;
    var input = e.target;
    if (input.matches && input.matches('form.filter input[name="meeting"]') && input.value) {
      input.value = '';
      e.preventDefault();
    }
  });

  // A list's status filter applies as soon as it is picked.
  document.addEventListener('change', function (e) {
    var select = e.target;
    if (select.matches && select.matches('form.filter select[name="status"]') && select.form) {
      if (select.form.requestSubmit) select.form.requestSubmit();
      else select.form.submit();
    }
  });

  // A live message swaps whole lists in, so rows pushed in above the one
  // the operator is reading would move it down the page. Once the page is
  // scrolled, the first row still in view (an id'd table row, such as an
  // event whose body is open) is kept where it was; at the very top the
  // new rows show.
  var anchor = null;
  function firstRowInView() {
    if (window.scrollY <= 0) return null;
    var rows = document.querySelectorAll('table.list tr[id]');
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i].getBoundingClientRect();
      if (r.bottom > 0) return { id: rows[i].id, top: r.top };
    }
    return null;
  }
  document.addEventListener('htmx:wsBeforeMessage', function () { anchor = firstRowInView(); });
  document.addEventListener('htmx:wsAfterMessage', function () {
    var a = anchor, el = a && document.getElementById(a.id);
    anchor = null;
    if (!el) return;
    // times.js, whose listener ran first, has shown the swapped-in times
    // as they will read, so rows have their final height.
    var moved = el.getBoundingClientRect().top - a.top;
    if (moved) window.scrollBy(0, moved);
  });

  document.addEventListener('htmx:wsOpen', function () { setLive('live'); });
  document.addEventListener('htmx:wsError', function () { setLive('reconnecting'); });
  document.addEventListener('htmx:wsClose', function (e) {
    var ev = e.detail && e.detail.event;
    // Only claim "reconnecting" when the extension will actually retry.
    setLive(ev && RECONNECT_CODES.indexOf(ev.code) < 0 ? 'off' : 'reconnecting');
  });
  ['htmx:afterSwap', 'htmx:oobAfterSwap', 'htmx:wsAfterMessage'].forEach(function (name) {
    document.addEventListener(name, refresh);
  });

  function init() {
    var ws = document.querySelector('[ws-connect], [data-ws-connect], [hx-ws]');
    if (!ws) setLive('off');
    else if (!liveState) setLive('connecting');
    tick();
    setInterval(tick, 1000);
    headerHeight();
    var header = document.querySelector('header.top');
    if (header && window.ResizeObserver) new ResizeObserver(headerHeight).observe(header);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
