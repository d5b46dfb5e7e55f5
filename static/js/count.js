// Character count for the words box; the server enforces the same limit without it.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("textarea[data-count]");
  Array.prototype.forEach.call(boxes, function (box) {
    var out = document.getElementById(box.getAttribute("data-count"));
    var max = parseInt(box.getAttribute("maxlength"), 10);
    function update() {
      var left = max - box.value.length;
      // The words come from the page, so they are translated with everything else.
      out.textContent = left >= 0
        ? left + " " + box.getAttribute("data-left")
        : (-left) + " " + box.getAttribute("data-over");
    }
    box.addEventListener("input", update);
    update();
  });
})();
