// meetboard times: every <time datetime data-local> on the page shown in
// the browser's time zone, with the zone named ("14:03:05 CET"), or in
// UTC once the operator picks it with the header's switch (#time-zone);
// the choice is remembered in this browser (localStorage). Fragments
// pushed over the live socket are shown the same way as they arrive.
// Without the script, times read as the server wrote them, in UTC, and
// the switch stays hidden. Loaded before app.js, so its listeners run
// first: app.js measures rows after a live swap, once times have their
// final text.
(function () {
  'use strict';

  var KEY = 'meetboard.times';
  var DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

  function pad(n) { return (n < 10 ? '0' : '') + n; }

  // The browser's zone, as the IANA names it ("Europe/Paris"), or "".
  function zoneID() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { return ''; }
  }

  // The short name of the browser's zone at date d, in the browser's
  // language: "CET", "EDT", "GMT+1".
  function zoneName(d) {
    try {
      var parts = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' }).formatToParts(d);
      for (var i = 0; i < parts.length; i++) {
        if (parts[i].type === 'timeZoneName') return parts[i].value;
      }
    } catch (e) { /* an old browser: name the zone by its offset */ }
    var off = -d.getTimezoneOffset();
    return 'UTC' + (off < 0 ? '-' : '+') + pad(Math.floor(Math.abs(off) / 60)) + ':' + pad(Math.abs(off) % 60);
  }

  function utcChosen() {
    try { return localStorage.getItem(KEY) === 'utc'; } catch (e) { return false; }
  }

  function remember(utc) {
    try { localStorage.setItem(KEY, utc ? 'utc' : 'local'); } catch (e) { /* storage off: this page only */ }
  }

  // The parts of date d in UTC or in the browser's zone.
  function fields(d, utc) {
    return utc
      ? { y: d.getUTCFullYear(), mo: d.getUTCMonth(), day: d.getUTCDate(), wd: d.getUTCDay(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() }
      : { y: d.getFullYear(), mo: d.getMonth(), day: d.getDate(), wd: d.getDay(), h: d.getHours(), mi: d.getMinutes(), s: d.getSeconds() };
  }

  // show writes one time: "14:03:05 CET" today, "Mon 3 Jun 14:03 CET"
  // another day, and the whole date, the zone's short name and its IANA
  // name in the title.
  function show(el, utc, today) {
    var d = new Date(el.getAttribute('datetime'));
    if (isNaN(d.getTime())) return;
    var f = fields(d, utc);
    var zone = utc ? 'UTC' : zoneName(d);
    var hm = pad(f.h) + ':' + pad(f.mi);
    var sameDay = f.y === today.y && f.mo === today.mo && f.day === today.day;
    var text = (sameDay ? hm + ':' + pad(f.s) : DAYS[f.wd] + ' ' + f.day + ' ' + MONTHS[f.mo] + ' ' + hm) + ' ' + zone;
    if (el.textContent !== text) el.textContent = text;
    var id = utc ? '' : zoneID();
    el.setAttribute('title', DAYS[f.wd] + ' ' + f.day + ' ' + MONTHS[f.mo] + ' ' + f.y + ' ' + hm + ':' + pad(f.s) + ' ' + zone + (id ? ' (' + id + ')' : ''));
    el.setAttribute('data-local', 'done');
  }

  // format shows the times not shown yet, or with all, every time again.
  function format(all) {
    var utc = utcChosen();
    var els = document.querySelectorAll(all ? 'time[datetime][data-local]' : 'time[datetime][data-local]:not([data-local="done"])');
    if (!els.length) return;
    var today = fields(new Date(), utc);
    for (var i = 0; i < els.length; i++) show(els[i], utc, today);
  }

  // The switch names the zone times are in and offers the other.
  function label() {
    var btn = document.getElementById('time-zone');
    if (!btn) return;
    var utc = utcChosen();
    var local = zoneID() || zoneName(new Date());
    var name = btn.querySelector('.time-zone-name') || btn;
    name.textContent = utc ? 'UTC' : local;
    btn.setAttribute('aria-pressed', utc ? 'true' : 'false');
    btn.setAttribute('title', utc ? 'Show times in your time zone (' + local + ')' : 'Show times in UTC');
    btn.hidden = false;
  }

  document.addEventListener('click', function (e) {
    var btn = e.target.closest && e.target.closest('#time-zone');
    if (!btn) return;
    remember(!utcChosen());
    label();
    format(true);
  });

  // Another tab of this browser switched: follow it.
  window.addEventListener('storage', function (e) {
    if (e.key !== KEY) return;
    label();
    format(true);
  });

  ['htmx:afterSwap', 'htmx:wsAfterMessage'].forEach(function (name) {
    document.addEventListener(name, function () { format(false); });
  });

  function init() {
    label();
    format(false);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
