// Offline draft: what a young person types on the postcard form is kept on this device
// until they send it, so a lost signal or a closed tab does not lose their words.
//
// localStorage, not sessionStorage: sessionStorage dies with the tab, and a closed tab is
// one of the things this is for. But this is a child's words on a phone that may be shared,
// so the draft lives no longer than it must: the confirmation page, Exit this page and
// Sign out all delete it (see clearDraft). Nothing here talks to a server; the words leave
// the phone only in the form's own POST.
const KEY = "yourvoice-draft";

function store() {
  try {
    return window.localStorage; // throws where storage is blocked: the form still works
  } catch {
    return null;
  }
}

export function clearDraft() {
  store()?.removeItem(KEY);
}

const isChoice = (el) => el.type === "radio" || el.type === "checkbox";
// A field's name, and for a choice its value too: a draft fills in only a form with the
// very same questions and answers (not the complaint form, not a changed form).
const fieldKey = (el) => (isChoice(el) ? `${el.name}=${el.value}` : el.name);

// Call before GOV.UK Frontend starts its components, so the character count and the
// revealed questions follow the restored answers.
export function keepDraft() {
  if (document.querySelector("[data-draft-sent]")) clearDraft();
  const form = document.querySelector("form[data-draft]");
  if (!form || !store()) return;
  // Not the hidden fields (the CSRF token, the step): those come fresh from the server.
  const fields = [...form.elements].filter((el) => el.name && el.type !== "hidden");
  const save = () => {
    const values = fields.map((el) => [fieldKey(el), isChoice(el) ? el.checked : el.value]);
    store().setItem(KEY, JSON.stringify([location.pathname, values]));
  };
  // A fresh form takes the draft; a form the server sent back (errors, or "Change
  // something") already holds the latest answers, and they become the draft.
  if (form.dataset.draft === "fresh") {
    try {
      const [path, values] = JSON.parse(store().getItem(KEY) || "[]");
      if (path === location.pathname && values.length === fields.length) {
        if (values.every(([key], i) => key === fieldKey(fields[i]))) {
          fields.forEach((el, i) => {
            el[isChoice(el) ? "checked" : "value"] = values[i][1];
          });
        }
      }
    } catch {
      clearDraft(); // not a draft this script wrote
    }
  } else {
    save();
  }
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  document.querySelectorAll("[data-draft-note]").forEach((note) => {
    note.hidden = false;
  });
}
