// The live count at the check-in desk: every 10 seconds the figures of the meeting are
// fetched again and written into the elements marked data-presence="<name>".
(function () {
  "use strict";
  var box = document.querySelector("[data-presence-url]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-presence-url");
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (figures) {
        if (!figures) { return; }
        Object.keys(figures).forEach(function (name) {
          var target = box.querySelector("[data-presence='" + name + "']");
          if (target && target.textContent !== String(figures[name])) {
            target.textContent = figures[name];
          }
        });
        var reached = box.querySelector("[data-quorum-reached]");
        if (reached) { reached.hidden = !figures.quorum_reached; }
        var missed = box.querySelector("[data-quorum-missed]");
        if (missed) { missed.hidden = figures.quorum_reached; }
      })
      .catch(function () { /* the next round tries again */ });
  }
  window.setInterval(refresh, 10000);
}());
