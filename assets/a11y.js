/* Accessibility fixes to Dash 4's own components, applied to the DOM as they render (axe-core flags them:
   tests/test_browser_a11y.py). Drop a rule once Dash renders it right.
   - dcc.Dropdown writes a focusable, aria-hidden "focus target" input in front of its button: Tab lands on
     an element screen readers cannot see (the button is the real control and stays a tab stop).
   - dcc.RadioItems / dcc.Checklist wrap native radios and checkboxes in role="listbox" / role="option",
     which nests interactive controls and leaves the list unnamed: the native inputs say it all.
   - dcc.Slider's thumb (role="slider") and its number box have no name: they take their field's label. */
(function () {
  "use strict";

  function fieldLabel(el) {
    var field = el.closest(".field, .fiche-field, .filter-group, label");
    var label = field && field.querySelector(".field-label, label, .overlay-title");
    return (label && label.textContent.trim()) || "Curseur";
  }

  function fix(root) {
    root.querySelectorAll(".dash-dropdown-focus-target[tabindex='0']").forEach(function (input) {
      input.tabIndex = -1;
    });
    root.querySelectorAll("[role='listbox']").forEach(function (list) {
      if (list.closest(".dash-dropdown-content, [data-radix-popper-content-wrapper]")) { return; }
      var options = list.querySelectorAll(":scope > label.dash-options-list-option");
      if (!options.length || !list.querySelector("input[type='radio'], input[type='checkbox']")) { return; }
      list.setAttribute("role", "group");
      if (!list.hasAttribute("aria-label")) { list.setAttribute("aria-label", fieldLabel(list)); }
      options.forEach(function (option) {
        option.removeAttribute("role");
        option.removeAttribute("aria-selected");
      });
    });
    root.querySelectorAll("[role='slider']:not([aria-label]):not([aria-labelledby]), "
                          + "input.dash-range-slider-input:not([aria-label])").forEach(function (thumb) {
      thumb.setAttribute("aria-label", fieldLabel(thumb));
    });
  }

  var pending = false;
  new MutationObserver(function () {
    if (pending) { return; }
    pending = true;  // one pass per frame, however many nodes React wrote
    window.requestAnimationFrame(function () { pending = false; fix(document); });
  }).observe(document.documentElement, {childList: true, subtree: true, attributes: true,
                                        attributeFilter: ["role", "tabindex"]});
})();
