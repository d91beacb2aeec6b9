// meetboard alerts in the browser: on the alerts page an operator opts
// this browser into notifications; from then on every dashboard page open
// in it asks /api/alerts for the alerts raised since the newest one it has
// shown, every 15 s, and shows each as a notification (clicking it opens
// the thing). The choice and the newest alert shown are kept in this
// browser's localStorage; an alert is shown once per browser (tabs share
// the mark, and a notification's tag replaces a twin).
(function () {
  'use strict';

  var ON = 'meetboard.notify';
  var LAST = 'meetboard.lastAlert';
  var EVERY = 15000;

  function get(key) { try { return localStorage.getItem(key); } catch (e) { return null; } }
  function set(key, value) { try { if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value); } catch (e) { /* private mode */ } }
  function supported() { return 'Notification' in window; }
  function enabled() { return supported() && get(ON) === 'on' && Notification.permission === 'granted'; }

  // showState writes the button and its note on the alerts page.
  function showState() {
    var button = document.getElementById('alerts-notify');
    var note = document.getElementById('alerts-notify-state');
    if (!button || !note) return;
    if (!supported()) {
      button.disabled = true;
      note.textContent = 'This browser cannot show notifications.';
      return;
    }
    var on = enabled();
    button.textContent = on ? 'Stop notifying me' : 'Notify me in this browser';
    button.setAttribute('data-state', on ? 'on' : 'off');
    if (Notification.permission === 'denied') note.textContent = 'Notifications are blocked for this site in the browser’s settings.';
    else note.textContent = on ? 'New alerts show as notifications while a dashboard page is open in this browser.' : '';
  }

  document.addEventListener('click', function (e) {
    var button = e.target.closest && e.target.closest('#alerts-notify');
    if (!button || !supported()) return;
    if (enabled()) {
      set(ON, null);
      showState();
      return;
    }
    Notification.requestPermission().then(function (permission) {
      if (permission === 'granted') {
        set(ON, 'on');
        set(LAST, null); // start from the newest alert: no backlog
        poll();
      }
      showState();
    });
  });

  function label(kind) {
    var s = String(kind || 'alert').replace(/-/g, ' ');
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  function show(a) {
    var body = [a.meetingId ? 'Meeting ' + a.meetingId : '', a.reason || ''].filter(Boolean).join(' — ');
    var n = new Notification(label(a.kind) + ': ' + (a.what || ''), { body: body, tag: 'meetboard-alert-' + a.id });
    n.onclick = function () {
      window.focus();
      if (a.link && a.link.charAt(0) === '/') window.location.href = a.link;
    };
  }

  function poll() {
    if (!enabled()) return;
    var after = get(LAST);
    var url = after ? '/api/alerts?after=' + encodeURIComponent(after) + '&limit=20' : '/api/alerts?limit=1';
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (!answer || !enabled()) return;
        var list = answer.alerts || [];
        if (!after) {
          set(LAST, list.length ? String(list[0].id) : '0');
          return;
        }
        list.forEach(function (a) {
          if (Number(a.id) <= Number(get(LAST) || 0)) return; // another tab showed it
          set(LAST, String(a.id));
          show(a);
        });
      })
      .catch(function () { /* offline: the next poll tries again */ });
  }

  // On the alerts page a pushed list may hold a new alert: ask at once.
  document.addEventListener('htmx:wsAfterMessage', function () {
    showState();
    if (document.getElementById('alerts-list')) poll();
  });
  function init() {
    showState();
    poll();
    setInterval(poll, EVERY);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
