// The organisation pages: the collapsible unit tree (the searchable pickers are luoshi/picker.js).
// No inline scripts (the CSP forbids them): elements are found by their data-* attributes.
(function () {
  "use strict";

  function descendants(row) {
    var path = row.dataset.path;
    return Array.prototype.filter.call(
      document.querySelectorAll("tr[data-path]"),
      function (other) { return other !== row && other.dataset.path.indexOf(path) === 0; }
    );
  }

  function setCollapsed(row, collapsed) {
    row.classList.toggle("tree-collapsed", collapsed);
    var button = row.querySelector("[data-tree-toggle]");
    if (button) { button.setAttribute("aria-expanded", collapsed ? "false" : "true"); }
    descendants(row).forEach(function (other) {
      if (collapsed) { other.hidden = true; return; }
      // Show a descendant only if no collapsed ancestor between it and this row hides it.
      var hiddenByOther = descendants(row).some(function (mid) {
        return mid !== other && mid.classList.contains("tree-collapsed") &&
          other.dataset.path.indexOf(mid.dataset.path) === 0;
      });
      other.hidden = hiddenByOther;
    });
  }

  function initTree(root) {
    var rows = root.querySelectorAll("tr[data-path]");
    rows.forEach(function (row) {
      var button = row.querySelector("[data-tree-toggle]");
      if (!button) { return; }
      button.addEventListener("click", function () {
        setCollapsed(row, !row.classList.contains("tree-collapsed"));
      });
    });
    // On a phone, open only the first two levels.
    if (window.matchMedia && window.matchMedia("(max-width: 576px)").matches) {
      rows.forEach(function (row) {
        if (row.querySelector("[data-tree-toggle]") && Number(row.dataset.level) >= 1) {
          setCollapsed(row, true);
        }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    initTree(document);
  });
})();
