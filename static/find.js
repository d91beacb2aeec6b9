// meetboard: marks the part of a page that the URL's #fragment names (a
// participant, recording, stream or call opened through its link) with the
// class "targeted". CSS's :target alone loses it when a live update swaps
// that part for a new copy, so it is marked again after every swap.
//
// The event log's filter form holds its times in UTC (so it works without
// this script): they are shown in the viewer's time zone here, sent back
// in UTC, and the fields left empty are left out of the link.
(function () {
  'use strict';

  function pad(n) { return (n < 10 ? '0' : '') + n; }

  // A datetime-local value (YYYY-MM-DDTHH:MM) of the viewer's zone.
  function localValue(d) {
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) +
      'T' + pad(d.getHours()) + ':' + pad(d.getMinutes());
  }

  function showLocal(form) {
    var fields = form.querySelectorAll('input[data-utc]');
    for (var i = 0; i < fields.length; i++) {
      var v = fields[i].value;
      if (!v) continue;
      var d = new Date(v + 'Z');
      if (!isNaN(d.getTime())) fields[i].value = localValue(d);
    }
    var tz = form.querySelector('.tz');
    var zone = '';
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { zone = ''; }
    if (tz) {
      tz.textContent = zone || 'your time';
      tz.setAttribute('title', 'the times of this filter are in your time zone');
    }
    form.setAttribute('data-local', 'done');
  }

  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form.matches || !form.matches('form.events-filter')) return;
    var params = new URLSearchParams();
    var fields = form.querySelectorAll('input[name], select[name]');
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i], v = f.value;
      if (!v) continue;
      if (f.hasAttribute('data-utc') && form.getAttribute('data-local') === 'done') {
        var d = new Date(v); // a datetime-local value reads as local time
        if (!isNaN(d.getTime())) v = d.toISOString().slice(0, 16) + 'Z';
      }
      params.append(f.name, v);
    }
    e.preventDefault();
    var q = params.toString();
    location.assign(form.getAttribute('action') + (q ? '?' + q : ''));
  });

  function init() {
    var forms = document.querySelectorAll('form.events-filter:not([data-local])');
    for (var i = 0; i < forms.length; i++) showLocal(forms[i]);
    mark();
  }

  function mark() {
    var id = '';
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { id = ''; }
    var el = id ? document.getElementById(id) : null;
    var old = document.querySelectorAll('.targeted');
    for (var i = 0; i < old.length; i++) {
      if (old[i] !== el) old[i].classList.remove('targeted');
    }
    if (el && !el.classList.contains('targeted')) el.classList.add('targeted');
  }

  window.addEventListener('hashchange', mark);
  document.addEventListener('htmx:wsAfterMessage', mark);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
