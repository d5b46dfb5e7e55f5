// Character count for the words box; the server enforces the same limit without it.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("textarea[data-count]");
  Array.prototype.forEach.call(boxes, function (box) {
    var out = document.getElementById(box.getAttribute("data-count"));
    var max = parseInt(box.getAttribute("maxlength"), 10);
    function update() {
      var left = max - box.value.length;
      out.textContent = left >= 0 ? left + " characters left" : (-left) + " characters too many";
    }
    box.addEventListener("input", update);
    update();
  });
})();
