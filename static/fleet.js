// meetboard live-rooms board: the rooms as something an operator reads.
//
// The live push (htmx's ws extension) replaces a changed room's card or row
// by id, appends a room that opened to the hidden #rooms-new, and marks one
// that closed with an "ended" label (see views/fleet.templ). This script
// decides when those land: while the operator reads the board (pointer or
// focus on it, a recent touch, the page scrolled), new rooms, ended rooms
// and rows that a change put out of order wait behind a "N changes" bar,
// and nothing moves until it is clicked; otherwise they land at once. It
// also sorts the table by any column (remembered per browser) and applies
// the filter box to the rooms on the page as one types. No eval, no inline
// styles; listeners are delegated on document, so a board the socket
// replaces whole (a reconnect's snapshot) just works.
(function () {
  'use strict';

  var SORT_KEY = 'meetboard.roomsSort';
  var SETTLE_MS = 1500; // after reading stops, before waiting changes land
  var TOUCH_MS = 10000; // a touch counts as reading for this long
  // Lifecycle ranks (models/lifecycle.go), so a state column sorts failed
  // first when descending.
  var RANK = {
    starting: 10, started: 20, processing: 20, acquired: 20, playable: 25, stopping: 30,
    stopped: 40, completed: 40, activated: 40, released: 40, cancelled: 45, failed: 50
  };

  var sort = { col: -1, type: 'since', dir: 'desc' }; // -1: the default order
  var moved = {}; // ids of rooms out of order since the changes were last shown
  var touched = 0; // until when a touch counts as reading
  var pointerOn = false, focusOn = false;
  var settleTimer = 0;
  var updated = []; // ids of rooms replaced by the message being swapped
  var serverFilter = null;

  function board() { return document.getElementById('rooms-live'); }
  function shown() { return document.getElementById('rooms-items'); }
  function waiting() { return document.getElementById('rooms-new'); }
  function bar() { return document.getElementById('rooms-apply'); }
  function filterBox() { return document.querySelector('form.filter input[name="meeting"]'); }
  function isTable() { var b = board(); return !!b && b.getAttribute('data-board') === 'table'; }

  function ended(el) { return !!el.querySelector('.ended-mark'); }

  // ---- Sorting ----

  function sinceKey(el) {
    var t = el && el.querySelector('time[datetime]');
    var ms = t ? Date.parse(t.getAttribute('datetime')) : NaN;
    return isNaN(ms) ? 0 : -ms; // elapsed, as an order
  }

  function key(el, col, type) {
    if (col < 0) return sinceKey(el); // cards, and the table's default: by start
    var cell = el.children[col];
    if (!cell) return 0;
    switch (type) {
      case 'since': return sinceKey(cell);
      case 'num': return parseFloat(cell.textContent) || 0;
      case 'problems': return cell.querySelectorAll('.badge').length;
      case 'state':
        var b = cell.querySelector('.badge');
        return b ? RANK[b.textContent.trim()] || 1 : 0;
    }
    return cell.textContent.trim().toLowerCase();
  }

  // sortKey is what a room sorts by: the column's value, then how long it
  // has run (longest first), then its id.
  function sortKey(el) {
    return [key(el, sort.col, sort.type), sinceKey(el), el.id];
  }

  function compareKeys(a, b) {
    var c = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
    if (sort.dir === 'desc') c = -c;
    if (c === 0) c = a[1] > b[1] ? -1 : a[1] < b[1] ? 1 : 0;
    if (c === 0) c = a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0;
    return c;
  }

  // sortShown puts the shown rooms in order, touching the DOM only when
  // something is out of place.
  function sortShown() {
    var box = shown();
    if (!box) return;
    var list = Array.prototype.slice.call(box.children);
    var keyed = list.map(function (el) { return { el: el, k: sortKey(el) }; });
    keyed.sort(function (a, b) { return compareKeys(a.k, b.k); });
    for (var i = 0; i < keyed.length; i++) {
      if (keyed[i].el !== list[i]) {
        var frag = document.createDocumentFragment();
        keyed.forEach(function (x) { frag.appendChild(x.el); });
        box.appendChild(frag);
        return;
      }
    }
  }

  function columnOf(th) {
    return Array.prototype.indexOf.call(th.parentNode.children, th);
  }

  function outOfOrder(el) {
    var prev = el.previousElementSibling, next = el.nextElementSibling, k = sortKey(el);
    return (prev && compareKeys(sortKey(prev), k) > 0) || (next && compareKeys(k, sortKey(next)) > 0);
  }

  function showSort() {
    var b = board();
    if (!b) return;
    var ths = b.querySelectorAll('[role="columnheader"][data-sort]');
    var col = sort.col < 0 ? 2 : sort.col; // the default is "Live for", longest first
    var dir = sort.col < 0 ? 'descending' : sort.dir === 'asc' ? 'ascending' : 'descending';
    for (var i = 0; i < ths.length; i++) {
      if (columnOf(ths[i]) === col) ths[i].setAttribute('aria-sort', dir);
      else ths[i].removeAttribute('aria-sort');
    }
  }

  function loadSort() {
    try {
      var saved = JSON.parse(localStorage.getItem(SORT_KEY) || 'null');
      if (saved && typeof saved.col === 'number' && (saved.dir === 'asc' || saved.dir === 'desc')) {
        sort = { col: saved.col, type: String(saved.type || 'text'), dir: saved.dir };
      }
    } catch (e) { /* no storage: the default order */ }
  }

  function saveSort() {
    try { localStorage.setItem(SORT_KEY, JSON.stringify(sort)); } catch (e) { /* not remembered */ }
  }

  // ---- Filter ----

  function matches(el) {
    var q = filterBox() ? filterBox().value.trim() : '';
    return q === '' || (el.getAttribute('data-meeting') || '').indexOf(q) === 0;
  }

  function filterEl(el) {
    var hide = !matches(el);
    if (el.hidden !== hide) el.hidden = hide;
  }

  // filterAll applies the box to every room on the page, and says so when
  // it leaves none of them: the server's filter, on Enter, looks through
  // every live room and the recently ended sessions too.
  function filterAll() {
    [shown(), waiting()].forEach(function (box) {
      if (!box) return;
      for (var el = box.firstElementChild; el; el = el.nextElementSibling) filterEl(el);
    });
    var none = document.getElementById('rooms-none'), box = shown();
    if (!none || !box) return;
    var q = filterBox() ? filterBox().value.trim() : '', left = false;
    for (var el = box.firstElementChild; el && !left; el = el.nextElementSibling) left = !el.hidden;
    var msg = q && !left && box.firstElementChild
      ? 'No live room on this page starts with “' + q + '”. Press Enter to look through every live room and the recently ended sessions.'
      : '';
    if (none.textContent !== msg) none.textContent = msg;
    none.hidden = !msg;
  }

  // The address bar follows the box, so the URL an operator copies shows
  // what they see (the server filters by it too).
  function filterURL(q) {
    var u = new URL(location.href);
    if (q) u.searchParams.set('meeting', q); else u.searchParams.delete('meeting');
    u.searchParams.delete('page');
    return u.pathname + u.search + u.hash;
  }

  function onFilter() {
    if (!board()) return;
    var box = filterBox();
    if (serverFilter === null) serverFilter = box.defaultValue.trim();
    filterAll();
    var q = box.value.trim();
    box.title = q.indexOf(serverFilter) === 0 ? '' : 'Press Enter to look through every live room, not only this page\'s';
    try { history.replaceState(history.state, '', filterURL(q)); } catch (e) { /* not allowed: keep the URL */ }
    updateBar();
  }

  // ---- Waiting changes ----

  function counts() {
    var n = { fresh: 0, gone: 0, moved: 0 };
    var w = waiting(), box = shown();
    if (w) for (var el = w.firstElementChild; el; el = el.nextElementSibling) if (!el.hidden && !ended(el)) n.fresh++;
    if (box) {
      var marks = box.querySelectorAll('.ended-mark');
      for (var i = 0; i < marks.length; i++) if (!marks[i].closest('[data-meeting]').hidden) n.gone++;
      Object.keys(moved).forEach(function (id) {
        var el = document.getElementById(id);
        if (el && el.parentNode === box && !el.hidden) n.moved++;
      });
    }
    return n;
  }

  function updateBar() {
    var board = document.getElementById('rooms-live'), box = shown(), w = waiting();
    if (board && box) {
      var empty = !box.firstElementChild && !(w && w.firstElementChild);
      if (board.classList.contains('is-empty') !== empty) board.classList.toggle('is-empty', empty);
    }
    var b = bar();
    if (!b) return;
    var n = counts(), total = n.fresh + n.gone + n.moved;
    if (!total) {
      if (!b.hidden) b.hidden = true;
      return;
    }
    var parts = [];
    if (n.fresh) parts.push(n.fresh + ' new');
    if (n.gone) parts.push(n.gone + ' ended');
    if (n.moved) parts.push(n.moved + ' moved');
    var text = total + (total === 1 ? ' change' : ' changes') + ' (' + parts.join(', ') + ') · Show';
    if (b.textContent !== text) b.textContent = text;
    b.hidden = false;
  }

  // apply shows the waiting changes: ended rooms go, new rooms join, and
  // everything is put in order.
  function apply() {
    var box = shown(), w = waiting();
    if (!box) return;
    var gone = box.querySelectorAll('.ended-mark');
    for (var i = 0; i < gone.length; i++) {
      var item = gone[i].closest('[data-meeting]');
      if (item && item.parentNode === box) item.remove();
    }
    if (w) {
      while (w.firstElementChild) {
        var el = w.firstElementChild;
        if (ended(el)) el.remove(); else box.appendChild(el);
      }
    }
    moved = {};
    sortShown();
    updateBar();
  }

  // ---- Reading ----

  function reading() {
    return pointerOn || focusOn || Date.now() < touched || window.scrollY > 0;
  }

  function settleSoon(ms) {
    clearTimeout(settleTimer);
    settleTimer = setTimeout(function () {
      if (!reading()) apply();
    }, ms);
  }

  // land applies the waiting changes at once when no one is reading, else
  // shows how many wait.
  function land() {
    var n = counts();
    if (n.fresh + n.gone + n.moved + (waiting() && waiting().firstElementChild ? 1 : 0) === 0) updateBar();
    else if (!reading()) apply();
    else updateBar();
  }

  document.addEventListener('pointerover', function (e) {
    if (e.pointerType === 'touch' || !board()) return;
    var on = !!(e.target.closest && e.target.closest('#rooms-live'));
    if (pointerOn && !on) settleSoon(SETTLE_MS);
    pointerOn = on;
  });
  document.addEventListener('pointerout', function (e) {
    if (!e.relatedTarget && pointerOn) {
      pointerOn = false;
      settleSoon(SETTLE_MS);
    }
  });
  // Keyboard focus on the board is reading; a click's focus is not (the
  // pointer says where the eye is).
  document.addEventListener('focusin', function (e) {
    focusOn = !!(e.target.closest && e.target.closest('#rooms-live') && e.target.matches(':focus-visible'));
  });
  document.addEventListener('focusout', function (e) {
    var to = e.relatedTarget;
    var was = focusOn;
    focusOn = !!(to && to.closest && to.closest('#rooms-live') && focusOn);
    if (was && !focusOn) settleSoon(SETTLE_MS);
  });
  document.addEventListener('touchstart', function (e) {
    if (e.target.closest && e.target.closest('#rooms-live')) {
      touched = Date.now() + TOUCH_MS;
      settleSoon(TOUCH_MS + 100);
    }
  }, { passive: true });
  window.addEventListener('scroll', function () {
    if (window.scrollY === 0 && board()) settleSoon(SETTLE_MS);
  }, { passive: true });

  // ---- The live push ----

  // The board's own swaps are done here, as plain DOM moves: htmx's swap
  // of an element cleans up, processes and settles every element in it,
  // which at fleet scale cost more than anything else on the page. Rooms
  // carry no htmx attributes, so nothing is lost.
  // swap puts el in old's place, keeping the elements of old that are to
  // be preserved (hx-preserve, by id) as htmx's own swaps do: an HLS
  // player playing in a room's card goes on playing as the room changes.
  function swap(old, el) {
    var keep = el.querySelectorAll('[hx-preserve][id]');
    for (var i = 0; i < keep.length; i++) {
      var was = document.getElementById(keep[i].id);
      if (was && old.contains(was)) keep[i].replaceWith(was);
    }
    old.replaceWith(el);
  }

  document.addEventListener('htmx:oobBeforeSwap', function (e) {
    var d = e.detail, target = d.target;
    if (!target || !d.fragment || !board()) return;
    var el = d.fragment.firstElementChild;
    if (!el) return;
    var parent = target.parentNode;
    if (target.id === 'rooms-live' && el.id === 'rooms-live') {
      // The whole board (a connection's first message): swapped as one
      // element, then sorted and filtered again.
      d.shouldSwap = false;
      swap(target, el);
      init();
    } else if (target.id === 'rooms-new') {
      // Rooms that changed or opened, several to a message. A room on the
      // page is replaced where it is, keeping the filter's verdict (one
      // that ended and came back before the changes were shown, too); a
      // new one waits in #rooms-new.
      d.shouldSwap = false;
      while ((el = d.fragment.firstElementChild)) {
        filterEl(el);
        var old = document.getElementById(el.id);
        if (old) swap(old, el);
        else target.appendChild(el);
        updated.push(el.id);
      }
    } else if (parent && (parent.id === 'rooms-items' || parent.id === 'rooms-new')) {
      // A room that changed: it keeps its place and the filter's verdict.
      d.shouldSwap = false;
      filterEl(el);
      swap(target, el);
      updated.push(el.id);
    } else if (/-end$/.test(target.id) && target.closest('#rooms-items, #rooms-new')) {
      // A room that ended: marked, and kept until the changes are shown;
      // its times stop ticking (app.js ticks those with data-since).
      d.shouldSwap = false;
      target.replaceWith(el);
      var room = el.closest('[data-meeting]');
      if (room) {
        room.classList.add('ended');
        var times = room.querySelectorAll('time[data-since]');
        for (var i = 0; i < times.length; i++) times[i].removeAttribute('data-since');
      }
    }
  });

  document.addEventListener('htmx:wsAfterMessage', function () {
    if (!board()) return;
    var box = shown();
    for (var i = 0; i < updated.length; i++) {
      var el = document.getElementById(updated[i]);
      if (el && el.parentNode === box && outOfOrder(el)) moved[el.id] = true;
    }
    updated = [];
    land();
  });

  // ---- Controls ----

  document.addEventListener('click', function (e) {
    if (!e.target.closest) return;
    if (e.target.closest('#rooms-apply')) {
      apply();
      return;
    }
    var btn = e.target.closest('#rooms-live [role="columnheader"][data-sort] > button');
    if (!btn) return;
    var th = btn.parentNode, type = th.getAttribute('data-sort'), now = th.getAttribute('aria-sort');
    var dir = now === 'descending' ? 'asc' : now === 'ascending' ? 'desc' : type === 'text' ? 'asc' : 'desc';
    sort = { col: columnOf(th), type: type, dir: dir };
    saveSort();
    showSort();
    apply(); // the operator asked for a new order: the waiting changes come with it
  });

  document.addEventListener('input', function (e) {
    if (e.target === filterBox()) onFilter();
  });
  document.addEventListener('keydown', function (e) {
    // app.js clears the box on Escape without an input event.
    if (e.key === 'Escape' && e.target === filterBox()) setTimeout(onFilter, 0);
  });

  function init() {
    if (!board()) return;
    if (isTable()) {
      loadSort();
      showSort();
    } else {
      sort = { col: -1, type: 'since', dir: 'desc' };
    }
    moved = {};
    filterAll();
    sortShown();
    updateBar();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
