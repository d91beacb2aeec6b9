// meetboard: marks the part of a page that the URL's #fragment names (a
// participant, recording, stream or call opened through its link) with the
// class "targeted". CSS's :target alone loses it when a live update swaps
// that part for a new copy, so it is marked again after every swap.
(function () {
  'use strict';

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
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mark);
  else mark();
})();
