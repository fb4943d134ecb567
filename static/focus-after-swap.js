// After htmx replaces part of a page because someone clicked or sent a form, focus moves to the
// updated region's first heading (or the region itself), so keyboard and screen-reader users
// land on what changed instead of on <body>. Swaps nobody asked for (tiles loading, polling)
// and swaps while someone types or picks in a filter leave focus where it is. A file, not an
// inline script: the CSP allows scripts from 'self' only.
(function () {
  var handled = new WeakSet();

  function focusLost() {
    var active = document.activeElement;
    return !active || active === document.body || !active.isConnected;
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail.requestConfig;
    if (!config || handled.has(config)) return; // settles once per swapped element
    handled.add(config);
    var trigger = config.triggeringEvent ? config.triggeringEvent.type : "";
    if (trigger !== "submit" && trigger !== "click") return;
    var target = event.detail.target;
    var region = target && target.id ? document.getElementById(target.id) : null;
    if (!region) return;
    var active = document.activeElement;
    // htmx already focused a field marked autofocus (the first one in error): keep it.
    if (active && active !== document.body && region.contains(active)) return;
    // A click on a control still on the page keeps its focus; one the swap removed (a pager
    // link, a "Try again" link) moves on. A sent form always moves on to its result.
    if (trigger === "click" && !focusLost()) return;
    var heading = region.querySelector("h1, h2, h3, [role=alert], .results-count") || region;
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.setAttribute("data-swap-focus", "");
    heading.focus();
  });
})();
