/*
 * Vigie web vitals: an opt-in companion of the tracker, loaded by its own tag
 *   <script defer data-domain="shop.example" src="https://vigie.example/js/vitals.js"></script>
 *
 * It measures the page load's LCP, CLS, INP and TTFB with the browser's
 * PerformanceObserver and navigation timing, and sends them once, as one
 * `vitals` event, when the page is first hidden (visibilitychange to hidden,
 * or pagehide). Same rules as the tracker: never throw into the host page, no
 * cookies, no storage writes, one text/plain beacon. Documentation:
 * docs/web-vitals.md. Built by build.mjs into collector/static/vitals.js.
 */
(function (w, d) {
  var loc = w.location;
  var nav = w.navigator;
  var perf = w.performance;

  // Whether the browser reports entries of this type; if so, calls onEntry with each.
  function observe(type, onEntry, options) {
    try {
      if (PerformanceObserver.supportedEntryTypes.indexOf(type) < 0) return;
      new PerformanceObserver(function (list) {
        try {
          list.getEntries().forEach(onEntry);
        } catch (e) {}
      }).observe(Object.assign({ type: type, buffered: true }, options));
      return 1;
    } catch (e) {} // a browser without this entry type measures the others
  }

  function start() {
    if (w.vigieVitals) return; // a second copy would send the page twice
    w.vigieVitals = 1;
    var script = d.currentScript || d.createElement('script');
    var attr = function (name) {
      return script.getAttribute('data-' + name);
    };
    var api = attr('api') || new URL(script.src, loc.href).origin + '/api/event';
    // The tracker's rules for pages that send nothing (docs/snippet.md).
    if (
      loc.protocol == 'file:' ||
      (/^((.*\.)?localhost|127(\.\d+){3}|\[::1\]|0\.0\.0\.0)$/.test(loc.hostname) &&
        attr('include-localhost') == null) ||
      nav.webdriver || w._phantom || w.__nightmare || w.Cypress
    ) return;
    try {
      if (w.localStorage.vigie_ignore == 'true') return;
    } catch (e) {}

    var url = loc.href; // the page load measured, whatever the location becomes
    var nav0 = perf.getEntriesByType('navigation')[0] || {};
    // A prerendered page starts counting when it is shown.
    var activation = nav0.activationStart || 0;
    var vitals = {};
    if (nav0.responseStart > 0) vitals.ttfb = Math.max(nav0.responseStart - activation, 0);

    // LCP: the last candidate the browser reports (it stops at the first input).
    // A page opened in a background tab paints when it is first shown: no LCP.
    if (d.visibilityState != 'hidden')
      observe('largest-contentful-paint', function (entry) {
        vitals.lcp = Math.max(entry.startTime - activation, 0);
      });

    // CLS: shifts not caused by recent input, grouped in session windows (a new
    // window after a 1 s gap or once a window spans 5 s); the largest window counts.
    var cls = 0;
    var windowSum = 0;
    var windowFirst = 0;
    var windowLast = 0;
    var shifts = observe('layout-shift', function (entry) {
      if (entry.hadRecentInput) return;
      var t = entry.startTime;
      if (windowSum && t - windowLast < 1000 && t - windowFirst < 5000) windowSum += entry.value;
      else {
        windowSum = entry.value;
        windowFirst = t;
      }
      windowLast = t;
      cls = Math.max(cls, windowSum);
      vitals.cls = cls;
    });
    if (shifts) vitals.cls = cls; // a page that never shifts has a CLS of 0

    // INP: an interaction lasts as long as its longest event (pointerdown,
    // pointerup, click, key events share an interactionId). The worst one
    // counts, except that one of the worst is skipped per 50 interactions: a
    // 98th percentile that forgives a rare outlier on long-lived pages.
    var interactions = {};
    function interaction(entry) {
      var id = entry.interactionId;
      if (!id) return;
      interactions[id] = Math.max(interactions[id] || 0, entry.duration);
      var worst = Object.keys(interactions).map(function (key) {
        return interactions[key];
      }).sort(function (a, b) {
        return b - a;
      });
      vitals.inp = worst[Math.min(Math.floor(worst.length / 50), worst.length - 1)];
    }
    observe('event', interaction, { durationThreshold: 16 });
    observe('first-input', interaction);

    var sent;
    function send() {
      if (sent) return;
      sent = 1;
      var body = { name: 'vitals', domain: attr('domain') || loc.hostname, url: url,
        referrer: null, screen_width: w.innerWidth };
      for (var key in vitals) body[key] = key == 'cls' ? Math.round(vitals[key] * 1e4) / 1e4 : Math.round(vitals[key]);
      if (!('lcp' in body || 'cls' in body || 'inp' in body || 'ttfb' in body)) return;
      var json = JSON.stringify(body);
      try {
        if (nav.sendBeacon(api, new Blob([json], { type: 'text/plain' }))) return;
      } catch (e) {}
      try {
        fetch(api, { method: 'POST', body: json, keepalive: true, headers: { 'Content-Type': 'text/plain' } })
          .catch(function () {});
      } catch (e) {}
    }
    function onHide() {
      try {
        if (d.visibilityState == 'hidden') send();
      } catch (e) {}
    }
    d.addEventListener('visibilitychange', onHide);
    w.addEventListener('pagehide', function () {
      try {
        send();
      } catch (e) {}
    });
  }

  try {
    start();
  } catch (e) {}
})(window, document);
