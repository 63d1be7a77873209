// Sort the articles table by a clicked column; filter flagged comments by label and by text.
(function () {
  "use strict";
  function cellValue(row, index) {
    var cell = row.cells[index];
    var key = cell.getAttribute("data-sort");
    return key !== null ? key : cell.textContent.trim().toLowerCase();
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (header, index) {
      header.addEventListener("click", function () {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var descending = header.getAttribute("aria-sort") !== "descending";
        var numeric = header.classList.contains("num");
        rows.sort(function (a, b) {
          var x = cellValue(a, index), y = cellValue(b, index);
          var order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
          return descending ? -order : order;
        });
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        header.setAttribute("aria-sort", descending ? "descending" : "ascending");
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  var labelFilter = document.getElementById("label-filter");
  var textFilter = document.getElementById("text-filter");
  var shownCount = document.getElementById("shown-count");
  function applyFilters() {
    var label = labelFilter ? labelFilter.value : "";
    var needle = textFilter ? textFilter.value.trim().toLowerCase() : "";
    var shown = 0;
    document.querySelectorAll(".flagged-comment").forEach(function (card) {
      var flags = (card.getAttribute("data-flags") || "").split(" ");
      var visible = (!label || flags.indexOf(label) !== -1) &&
        (!needle || card.textContent.toLowerCase().indexOf(needle) !== -1);
      card.hidden = !visible;
      if (visible) { shown += 1; }
    });
    if (shownCount) { shownCount.textContent = String(shown); }
  }
  if (labelFilter) { labelFilter.addEventListener("change", applyFilters); }
  if (textFilter) { textFilter.addEventListener("input", applyFilters); }
  document.documentElement.setAttribute("data-script", "ready");
})();
