// Keeps "time left" clocks current without reloading, and fills the cited clause
// from the chosen denial reason. The pages work without it.
(function () {
  function left(iso) {
    var s = Math.round((new Date(iso) - new Date()) / 1000), over = s < 0;
    s = Math.abs(s);
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    return (over ? "overdue " : "") + (d ? d + "d " + h + "h" : h + "h " + m + "m");
  }
  function tick() {
    document.querySelectorAll("[data-deadline]").forEach(function (el) { el.textContent = left(el.dataset.deadline); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    setInterval(tick, 30000);
    var reason = document.querySelector("select[name=reason_code]"), clause = document.querySelector("input[name=clause]");
    if (reason && clause) {
      var fill = function () { clause.placeholder = reason.selectedOptions[0].dataset.clause; };
      reason.addEventListener("change", fill); fill();
    }
    document.querySelectorAll("button.danger").forEach(function (b) {
      b.form.addEventListener("submit", function (e) { if (!confirm("Deny this claim and send the letter?")) e.preventDefault(); });
    });
  });
})();
