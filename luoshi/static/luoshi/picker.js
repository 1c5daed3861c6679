// Searchable pickers on every page, for selects that org.forms.PickerSelect (or a filter form)
// marks with data-picker-url. No inline scripts (the CSP forbids them).
(function () {
  "use strict";

  // Searchable pickers: a <select data-picker-url> holds only its chosen option(s); Tom Select
  // (an npm package served from static_npm, loaded by base.html) turns it into a search box that
  // asks the picker endpoint, which answers only people or units in the viewer's data scope.
  // The server does the matching (name, pinyin, initials), so every answer is shown as it comes.
  function initPickers(root) {
    if (!window.TomSelect) { return; }
    var selects = root.matches && root.matches("select[data-picker-url]") ? [root] : [];
    selects = selects.concat(Array.prototype.slice.call(root.querySelectorAll("select[data-picker-url]")));
    selects.forEach(function (select) {
      if (select.tomselect) { return; }
      var url = select.dataset.pickerUrl;
      var text = function (key, fallback) { return select.dataset[key] || fallback; };
      var optional = !select.multiple && !!select.querySelector("option[value='']");
      new window.TomSelect(select, {
        valueField: "id",
        labelField: "label",
        searchField: [],
        maxOptions: null,
        preload: "focus",
        loadThrottle: 250,
        allowEmptyOption: false,
        hidePlaceholder: true,
        closeAfterSelect: !select.multiple,
        placeholder: text("pickerPlaceholder", ""),
        plugins: select.multiple ? ["remove_button"] : (optional ? ["clear_button"] : []),
        shouldLoad: function () { return true; },
        score: function () { return function () { return 1; }; },
        load: function (query, callback) {
          var self = this;
          var address = url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(query);
          fetch(address, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
            .then(function (response) { return response.json(); })
            .then(function (data) { self.clearOptions(); callback(data.results || []); })
            .catch(function () { callback(); });
        },
        render: {
          no_results: function () {
            var div = document.createElement("div");
            div.className = "no-results";
            div.textContent = text("pickerEmpty", "—");
            return div;
          },
          loading: function () {
            var div = document.createElement("div");
            div.className = "spinner-border spinner-border-sm m-2";
            div.setAttribute("role", "status");
            return div;
          }
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initPickers(document); });
  document.addEventListener("htmx:load", function (event) { initPickers(event.target); });
})();
