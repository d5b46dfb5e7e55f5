// Your Voice: GOV.UK Frontend's scripts for the components the young person's pages use,
// and nothing else. Built by `make assets` into static/js/portal.js; every page loads it
// from there, since the Content Security Policy allows no inline script.
import { createAll } from "govuk-frontend/dist/govuk/init.mjs";
import { Button } from "govuk-frontend/dist/govuk/components/button/button.mjs";
import { CharacterCount } from "govuk-frontend/dist/govuk/components/character-count/character-count.mjs";
import { Checkboxes } from "govuk-frontend/dist/govuk/components/checkboxes/checkboxes.mjs";
import { ErrorSummary } from "govuk-frontend/dist/govuk/components/error-summary/error-summary.mjs";
import { ExitThisPage } from "govuk-frontend/dist/govuk/components/exit-this-page/exit-this-page.mjs";
import { Radios } from "govuk-frontend/dist/govuk/components/radios/radios.mjs";
import { clearDraft, keepDraft } from "./draft.js";

// GOV.UK Frontend's "is this browser supported" mark, set here rather than in an
// inline script: the page loads this file as a module, so only browsers that run
// modules (the ones GOV.UK Frontend supports) get here.
document.body.classList.add("govuk-frontend-supported");
keepDraft();
createAll(Button);
createAll(CharacterCount);
createAll(Checkboxes);
createAll(ErrorSummary);
createAll(ExitThisPage);
createAll(Radios);

// GOV.UK Frontend marks a radio that reveals more with aria-expanded, which ARIA does
// not allow on a radio (axe reports it as a WCAG failure). aria-controls stays, and the
// revealed part follows the choice in reading order, so nothing is lost by dropping it.
// Run after each of GOV.UK's own updates (init, click, and the page being shown again).
function dropRadioExpanded() {
  document.querySelectorAll('input[type="radio"][aria-expanded]').forEach((input) => {
    input.removeAttribute("aria-expanded");
  });
}
dropRadioExpanded();
document.addEventListener("click", dropRadioExpanded);
document.addEventListener("change", dropRadioExpanded);
window.addEventListener("pageshow", dropRadioExpanded);

// Signing out hands the phone to the next person: the draft goes with the session.
document.querySelector(".app-nav form")?.addEventListener("submit", clearDraft);

function emptyFields() {
  document.querySelectorAll("textarea, input:not([type=hidden])").forEach((field) => {
    if (field.type === "radio" || field.type === "checkbox") {
      field.checked = false;
    } else {
      field.value = "";
    }
  });
}

// Every page is sent with Cache-Control: no-store, so Chromium never keeps one in its
// back-forward cache and Back asks the server again (which, after Exit this page, no
// longer knows who wrote anything). A browser that keeps a page anyway would show it
// as it was left, words and all: empty it and ask the server for it again.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) {
    emptyFields();
    window.location.reload();
  }
});

// Exit this page leaves without a trace: GOV.UK Frontend hides the page and goes to the
// button's address (our /exit/, which signs out and opens a neutral site). We also empty
// what was typed, delete what this site keeps on the device (the draft; /exit/ asks the
// browser for the same with Clear-Site-Data, but only secure pages may), and replace this
// page in the history, so Back does not bring it back.
const exitButton = document.querySelector(".govuk-js-exit-this-page-button");
if (exitButton instanceof HTMLAnchorElement) {
  new MutationObserver(() => {
    if (!document.body.classList.contains("govuk-exit-this-page-hide-content")) {
      return;
    }
    emptyFields();
    try {
      localStorage.clear();
      sessionStorage.clear();
    } catch {
      // storage is blocked here, so nothing was kept in it
    }
    window.location.replace(exitButton.href);
  }).observe(document.body, { attributes: true, attributeFilter: ["class"] });
}
