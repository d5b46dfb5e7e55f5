/* The picture postcard's "Read it to me" buttons: the browser's own speech (speechSynthesis),
   nothing sent anywhere. The page works without this file; the buttons stay hidden unless the
   browser can speak. Each button reads the question it sits in ([data-question]): the question,
   its hint and the words of each choice, never what the child has typed. */
(function () {
  "use strict";

  if (!("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") {
    return;
  }

  function said(element) {
    // What a sighted reader sees: the button's own words and hidden text are left out.
    var copy = element.cloneNode(true);
    copy.querySelectorAll(".govuk-visually-hidden, [data-read-aloud]").forEach(function (node) {
      node.remove();
    });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function questionText(question) {
    var parts = [];
    question
      .querySelectorAll(
        "legend, label, .govuk-hint:not(.govuk-character-count__message)"
      )
      .forEach(function (element) {
        var text = said(element);
        if (text) {
          parts.push(text.replace(/[.?!]$/, "") + (/[?]$/.test(text) ? "?" : "."));
        }
      });
    return parts.join(" ");
  }

  function speak(text) {
    var speech = window.speechSynthesis;
    speech.cancel(); // a second tap starts again rather than queueing
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = document.documentElement.lang || "en-GB";
    utterance.rate = 0.9; // a little slower, for younger listeners
    speech.speak(utterance);
  }

  document.querySelectorAll("[data-read-aloud]").forEach(function (button) {
    var question = button.closest("[data-question]");
    if (!question) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      speak(questionText(question));
    });
  });
})();
