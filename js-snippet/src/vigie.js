/*
 * Vigie page tracker.
 *
 * Embedded as
 *   <script defer data-domain="shop.example" src="https://vigie.example/js/vigie.js"></script>
 * it sends one JSON object per event to the collector: pageviews (also for
 * history-API navigation), custom events, outbound and download clicks, and an
 * engagement event (foreground time, scroll depth) when the page is hidden.
 *
 * Rules this file keeps:
 * - never throw into the host page: every entry point (the public function,
 *   every listener, the start-up code) runs inside try/catch;
 * - no cookies and no storage writes; localStorage is only read, for opt-out;
 * - one POST per event as text/plain, which is a CORS "simple" request: no
 *   preflight, and sendBeacon accepts it cross-origin.
 *
 * The readable source is minified by build.mjs into collector/static/vigie.js
 * (budget: 1536 bytes gzipped). Documentation: docs/snippet.md.
 */
(function (w, d) {
  var loc = w.location;
  var nav = w.navigator;

  // Calls fn, swallowing anything it throws. Used at every boundary where the
  // host page (or the browser) hands control to us.
  function safe(fn) {
    return function (a) {
      try {
        return fn(a);
      } catch (e) {}
    };
  }

  function now() {
    return Date.now();
  }

  function visible() {
    return d.visibilityState != 'hidden';
  }

  // Furthest point of the page seen, in percent of the document height.
  function scrollPercent() {
    var el = d.documentElement;
    return Math.min(100, Math.round(100 * (w.scrollY + w.innerHeight) / el.scrollHeight)) || 0;
  }

  function start() {
    // A second copy of the tracker on the same page would double every event.
    if (w.vigie && w.vigie.vigie) return;

    var script = d.currentScript || d.querySelector('script[data-domain]') || d.createElement('script');
    var attr = function (name) {
      return script.getAttribute('data-' + name);
    };
    var domain = attr('domain') || loc.hostname;
    // Relative to the page when the script tag has no src (inlined tracker).
    var api = attr('api') || new URL(script.src, loc.href).origin + '/api/event';
    var customerId = attr('customer-id');

    // Pages that send nothing, and the one reason the console names: local
    // pages (unless the tag has data-include-localhost, to test a site on a
    // dev server), saved files, automated browsers, an opt-out.
    var ignored =
      loc.protocol == 'file:' ? 'file page' :
      /^((.*\.)?localhost|127(\.\d+){3}|\[::1\]|0\.0\.0\.0)$/.test(loc.hostname) &&
      attr('include-localhost') == null ? 'local page' :
      nav.webdriver || w._phantom || w.__nightmare || w.Cypress ? 'automated browser' : '';
    try {
      // Reading localStorage throws when storage is disabled: that is no opt-out.
      if (!ignored && w.localStorage.vigie_ignore == 'true') ignored = 'opted out';
    } catch (e) {}
    if (ignored) console.warn('Vigie: not tracking: ' + ignored);

    var firstPageview = true;
    var pageUrl; // the page engagement is measured for (location may already have moved on)
    var path; // its pathname: SPA navigation only counts when this changes
    var shownAt; // when the page last became visible; 0 while hidden or once reported
    var depth; // max scroll depth of this page

    // options: the public {props, revenue, callback}; fields: internal
    // additions to the body (referrer, url of the page left, engagement).
    function send(name, options, fields) {
      options = options || {};
      var callback = options.callback;
      var body = {
        name: name,
        domain: domain,
        url: loc.href,
        referrer: null,
        screen_width: w.innerWidth
      };
      if (customerId) body.customer_id = customerId;
      // props and revenue go as given: the collector validates them and its
      // 400 answer names the faulty field (visible in the network panel).
      if (options.props) body.props = options.props;
      if (options.revenue) body.revenue = options.revenue;
      for (var key in fields) body[key] = fields[key];

      var done = safe(function () {
        callback && callback();
      });
      if (ignored) return done();

      var json = JSON.stringify(body);
      var queued;
      try {
        queued = nav.sendBeacon(api, new Blob([json], { type: 'text/plain' }));
      } catch (e) {}
      if (queued) return done();
      // No sendBeacon, or its queue is full: keepalive lets the request
      // outlive the page, like a beacon.
      try {
        fetch(api, {
          method: 'POST',
          body: json,
          keepalive: true,
          headers: { 'Content-Type': 'text/plain' }
        }).then(done, done);
      } catch (e) {
        done();
      }
    }

    // Report the visible time since the page was shown (at the pageview, or
    // when it became visible again after an earlier report), then stop the
    // clock until it is visible again. Reports never overlap: the sum of a
    // page's engaged_ms is its total foreground time.
    function engagement() {
      var ms = shownAt ? now() - shownAt : 0;
      depth = Math.max(depth, scrollPercent());
      shownAt = 0;
      if (ms > 0) send('engagement', 0, { url: pageUrl, engaged_ms: ms, scroll_depth: depth });
    }

    function pageview() {
      if (pageUrl) engagement(); // the page being left
      pageUrl = loc.href;
      path = loc.pathname;
      shownAt = visible() ? now() : 0;
      depth = scrollPercent();
      send('pageview', 0, { referrer: firstPageview ? d.referrer || null : null });
      firstPageview = false;
    }

    // After pushState / replaceState / popstate: a pageview if the path changed.
    var navigated = safe(function () {
      if (loc.pathname != path) pageview();
    });

    function onClick(event) {
      // Left click, or middle click (auxclick): both follow the link.
      if (event.button > 1) return;
      var link = event.target.closest('a[href]');
      if (!link || !/^https?:$/.test(link.protocol)) return;
      var name =
        link.hasAttribute('download') ||
        /\.(pdf|docx?|xlsx?|pptx?|csv|txt|epub|zip|rar|7z|t?gz|dmg|exe|msi|pkg|deb|rpm|apk|iso|mp3|wav|mp4|mov|avi)$/i.test(link.pathname)
          ? 'download'
          : link.host != loc.host
          ? 'outbound'
          : '';
      // The browser keeps a queued beacon (or keepalive fetch) across the
      // navigation this click starts, so it is never delayed.
      if (name) send(name, { props: { url: link.href } });
    }

    function command(args) {
      var name = args[0];
      if (name == 'event') args[1] && send('' + args[1], args[2]);
      else if (name == 'identify') customerId = args[1] ? '' + args[1] : null;
      else if (name == 'pageview') pageview();
    }

    var publicFn = function () {
      try {
        command(arguments);
      } catch (e) {}
    };
    publicFn.vigie = 1;
    var queue = (w.vigie && w.vigie.q) || [];
    w.vigie = publicFn;

    // Queued identify calls first, so that the first pageview already carries
    // the customer id; queued events after the pageview they followed.
    var replay = function (identify) {
      for (var i = 0; i < queue.length; i++) {
        if ((queue[i][0] == 'identify') == identify) publicFn.apply(w, queue[i]);
      }
    };
    replay(true);
    safe(pageview)();
    replay(false);

    w.addEventListener('popstate', navigated);
    // A page restored from the back/forward cache is viewed again, as it
    // would be when reloaded; its engagement was reported at pagehide.
    w.addEventListener(
      'pageshow',
      safe(function (event) {
        if (event.persisted) pageview();
      })
    );

    w.addEventListener(
      'scroll',
      safe(function () {
        depth = Math.max(depth, scrollPercent());
      }),
      { passive: true }
    );
    d.addEventListener(
      'visibilitychange',
      safe(function () {
        if (visible()) shownAt = shownAt || now(); // re-armed: count from now on
        else engagement();
      })
    );
    w.addEventListener('pagehide', safe(engagement));
    // Capture phase: a host handler that stops propagation does not hide the click.
    d.addEventListener('click', safe(onClick), true);
    d.addEventListener('auxclick', safe(onClick), true);

    // Last, in its own guard: a page may have replaced or hidden history.
    safe(function () {
      var history = w.history;
      ['pushState', 'replaceState'].forEach(function (method) {
        var original = history[method];
        if (typeof original != 'function') return;
        history[method] = function () {
          // The host page's own errors (e.g. a cross-origin URL) stay its own.
          var result = original.apply(this, arguments);
          navigated();
          return result;
        };
      });
    })();
  }

  safe(start)();
})(window, document);
