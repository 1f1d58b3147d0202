// Polls an audit's progress and reloads the page when the audit has ended (no other script runs on the pages).
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box) { return; }
  var url = box.getAttribute("data-status");
  var rows = document.getElementById("rows");
  var stage = document.getElementById("stage");
  function poll() {
    fetch(url, {credentials: "same-origin", cache: "no-store"}).then(function (r) { return r.json(); })
      .then(function (job) {
        rows.textContent = job.rows.toLocaleString("en-US");
        stage.textContent = job.stage;
        if (job.state !== "running") { window.location.reload(); } else { window.setTimeout(poll, 400); }
      }).catch(function () { window.setTimeout(poll, 1500); });
  }
  window.setTimeout(poll, 300);
}());
