// The unit tree on the issue page: "全选下级" ticks (or unticks) the direct sub-units at once.
// Without JavaScript the same box still works: the server adds the sub-units on submit.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var tree = document.getElementById("unit-tree");
    if (!tree) { return; }
    tree.querySelectorAll("[data-select-under]").forEach(function (box) {
      // With JavaScript the ticked sub-units are sent themselves, so the helper box is not.
      box.removeAttribute("name");
      box.addEventListener("change", function () {
        var parent = box.dataset.selectUnder;
        tree.querySelectorAll('li[data-parent="' + parent + '"] input[name="units"]').forEach(function (unit) {
          if (!unit.disabled) { unit.checked = box.checked; }
        });
      });
    });
  });
})();
