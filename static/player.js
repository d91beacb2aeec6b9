// meetboard HLS player: plays a stream's HLS playback URL inside the page
// when the operator presses its Play button (views/player.templ renders a
// box with the button and the URL in data-src, only for URLs the link
// allowlist lets be links). Nothing is asked of the stream's host before
// that press, and hls.js itself is fetched from /static only then.
//
// Which engine plays it:
//   - Safari (native HLS and ManagedMediaSource): the <video> element itself,
//     as hls.js's README advises for it;
//   - elsewhere with Media Source Extensions: hls.js, vendored in
//     static/vendor, its transmuxing worker loaded from /static as a file
//     (workerPath), so the Content-Security-Policy needs no blob: worker;
//     the video plays a blob: MediaSource URL (media-src blob:);
//   - without MSE but with native HLS (an iPhone before iOS 17.1): the
//     <video> element.
//
// A player stops and lets go of the stream (hls.js destroyed, the video's
// source removed and reloaded empty) when its Close button is pressed,
// when a live update takes its box out of the page, or when its room on the
// live-rooms board ends. A live update that
// keeps the stream on the page keeps the box, and the playing video in it,
// as it is (hx-preserve). No inline script or style, no eval.
(function () {
  'use strict';

  var HLS_SCRIPT = '/static/vendor/hls.min.js';
  var HLS_WORKER = '/static/vendor/hls.worker.js';
  var HLS_TYPE = 'application/vnd.apple.mpegurl';
  // The codecs hls.js's own Hls.isSupported() asks MSE about.
  var MSE_TYPE = 'video/mp4; codecs="avc1.42E01E,mp4a.40.2"';

  // The open players, each {box, video, shut, note, hls, closed}.
  var players = [];
  // The promise of the Hls class once its script is asked for.
  var hlsLoad = null;

  function mediaSource() { return window.ManagedMediaSource || window.MediaSource || null; }
  function hasMSE() {
    var ms = mediaSource();
    return !!ms && typeof ms.isTypeSupported === 'function' && ms.isTypeSupported(MSE_TYPE);
  }
  function hasNative(video) { return !!video.canPlayType(HLS_TYPE); }

  // useNative says whether the <video> element plays the stream itself.
  function useNative(video) {
    if (!hasNative(video)) return false;
    return 'ManagedMediaSource' in window || !hasMSE();
  }

  // httpURL is raw when it is an absolute http(s) URL, else null. The
  // server renders a player only for such URLs; this checks again.
  function httpURL(raw) {
    try {
      var u = new URL(raw);
      return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function loadHls() {
    if (window.Hls) return Promise.resolve(window.Hls);
    if (!hlsLoad) {
      hlsLoad = new Promise(function (resolve, reject) {
        var s = document.createElement('script');
        s.src = HLS_SCRIPT;
        s.onload = function () { if (window.Hls) resolve(window.Hls); else reject(new Error('hls.js did not load')); };
        s.onerror = function () { reject(new Error('hls.js could not be fetched')); };
        document.head.appendChild(s);
      });
      hlsLoad.catch(function () { hlsLoad = null; }); // a later Play tries again
    }
    return hlsLoad;
  }

  function say(p, text) {
    p.note.textContent = text;
    p.note.hidden = !text;
  }

  // start plays the video, muted if the browser refuses sound without a
  // fresh press of a button.
  function start(p) {
    var r = p.video.play();
    if (!r || !r.catch) return;
    r.catch(function (err) {
      if (p.closed || !err || err.name !== 'NotAllowedError') return;
      p.video.muted = true;
      p.video.play().catch(function () { /* the controls still play it */ });
    });
  }

  // release stops a player and lets go of its stream; its box stays as it is.
  function release(p) {
    if (p.closed) return;
    p.closed = true;
    players.splice(players.indexOf(p), 1);
    if (!players.length) watch.disconnect();
    if (p.hls) {
      p.hls.destroy();
      p.hls = null;
    }
    p.video.pause();
    p.video.removeAttribute('src');
    p.video.load();
  }

  // close releases a player and puts its box back to the Play button, which
  // takes the focus when the operator closed it.
  function close(p, focus) {
    release(p);
    [p.video, p.shut, p.note].forEach(function (el) { el.remove(); });
    p.box.classList.remove('open');
    var play = p.box.querySelector('button.play');
    if (play) {
      play.hidden = false;
      if (focus) play.focus();
    }
  }

  // A live swap that takes a box out of the page ends its player, and so
  // does a room's end on the live-rooms board, which keeps the ended card
  // (marked, class "ended") until the operator shows the changes
  // (fleet.js). A box the swap keeps is moved, not removed, and is in the
  // page again by the time this runs.
  var watch = new MutationObserver(function () {
    players.slice().forEach(function (p) {
      if (!p.box.isConnected) release(p);
      else if (p.box.closest('[data-meeting].ended')) close(p, false);
    });
  });

  function playWithHls(p, src) {
    loadHls().then(function (Hls) {
      if (p.closed) return;
      if (!Hls.isSupported()) {
        say(p, 'This browser cannot play HLS here; open the link instead.');
        return;
      }
      // A wall display may play for hours: keep 30 s behind the playhead,
      // not all of it.
      var hls = new Hls({ workerPath: HLS_WORKER, backBufferLength: 30 });
      p.hls = hls;
      hls.on(Hls.Events.MANIFEST_PARSED, function () { if (!p.closed) start(p); });
      hls.on(Hls.Events.ERROR, function (event, data) {
        if (!data || !data.fatal || p.closed) return;
        say(p, 'Cannot play this stream (' + data.details + ').');
        hls.destroy();
        if (p.hls === hls) p.hls = null;
      });
      hls.loadSource(src);
      hls.attachMedia(p.video);
    }, function (err) {
      if (!p.closed) say(p, 'The player could not load: ' + err.message + '.');
    });
  }

  function open(box) {
    if (box.classList.contains('open')) return;
    var src = httpURL(box.getAttribute('data-src'));
    if (!src) return;
    var video = document.createElement('video');
    video.controls = true;
    video.playsInline = true;
    // CORS, not no-cors: the page is cross-origin isolated
    // (Cross-Origin-Embedder-Policy: require-corp), so a native player's
    // requests need the stream host's CORS answer, as hls.js's do.
    video.crossOrigin = 'anonymous';
    var note = document.createElement('span');
    note.className = 'player-note';
    note.setAttribute('role', 'status');
    note.hidden = true;
    var shut = document.createElement('button');
    shut.type = 'button';
    shut.className = 'player-close';
    shut.textContent = 'Close';
    var p = { box: box, video: video, shut: shut, note: note, hls: null, closed: false };

    box.querySelector('button.play').hidden = true;
    box.classList.add('open');
    box.appendChild(video);
    box.appendChild(shut);
    box.appendChild(note);
    shut.addEventListener('click', function () { close(p, true); });
    video.addEventListener('error', function () {
      if (!p.closed && !p.hls && video.error) say(p, 'Cannot play this stream (media error ' + video.error.code + ').');
    });
    players.push(p);
    if (players.length === 1) watch.observe(document.documentElement, { childList: true, subtree: true });

    if (useNative(video)) {
      video.src = src;
      start(p);
    } else {
      playWithHls(p, src);
    }
  }

  document.addEventListener('click', function (e) {
    var play = e.target.closest && e.target.closest('.player > button.play');
    if (play) open(play.parentNode);
  });

  // Play buttons show only where some engine can play HLS (player.css).
  var probe = document.createElement('video');
  if (hasMSE() || hasNative(probe)) document.documentElement.classList.add('hls-playable');
})();
