// Exit this page: the button, or Shift pressed three times, ends the session and leaves.
(function () {
  "use strict";
  var url = document.body.getAttribute("data-exit-url");
  if (!url) { return; }
  function leave(event) {
    if (event) { event.preventDefault(); }
    document.body.style.display = "none";
    // replace(), so the back button does not return to this page.
    window.location.replace(url);
  }
  var button = document.getElementById("exit-this-page");
  if (button) { button.addEventListener("click", leave); }
  var presses = 0, timer = null;
  document.addEventListener("keydown", function (event) {
    if (event.repeat) { return; }
    // Any other key starts the count again, as in GOV.UK's pattern: someone typing
    // capital letters presses Shift often, and must not lose what they wrote.
    if (event.key !== "Shift") { presses = 0; return; }
    presses += 1;
    clearTimeout(timer);
    timer = setTimeout(function () { presses = 0; }, 1000);
    if (presses >= 3) { leave(); }
  });
})();
