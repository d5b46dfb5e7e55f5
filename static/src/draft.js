// Offline draft: what a young person types on the postcard form is kept on this device
// until they send it, so a lost signal or a closed tab does not lose their words.
//
// localStorage, not sessionStorage: sessionStorage dies with the tab, and a closed tab is
// one of the things this is for. But this is a child's words on a phone that may be shared,
// so the draft lives no longer than it must: the confirmation page, Exit this page and
// Sign out all delete it (see clearDraft); it belongs to the person who wrote it (the
// owner tag every page carries: a keyed hash of their account, or of their browser
// session if they have none, never the id itself), and any page of someone else's
// deletes it; and it is gone a day after it was last changed. Nothing here talks to a
// server; the words leave the phone only in the form's own POST.
const KEY = "yourvoice-draft";
const LIFETIME_MS = 24 * 60 * 60 * 1000;

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

// Whose page this is ("" for a visitor not yet on the form: nobody known, so no verdict).
const pageOwner = () => document.body.dataset.draftOwner || "";

// The draft, if it is this person's and less than a day old; otherwise it is deleted.
function readDraft() {
  let draft = null;
  try {
    draft = JSON.parse(store()?.getItem(KEY) || "null");
  } catch {
    draft = undefined; // not a draft this script wrote
  }
  if (draft === null) return null;
  const age = Date.now() - draft?.savedAt;
  const owner = pageOwner();
  const expired = !(age >= 0 && age < LIFETIME_MS); // an unknown time counts as expired
  if (!draft?.owner || expired || (owner && owner !== draft.owner)) {
    clearDraft();
    return null;
  }
  return owner ? draft : null;
}

const isChoice = (el) => el.type === "radio" || el.type === "checkbox";
// A field's name, and for a choice its value too: a draft fills in only a form with the
// very same questions and answers (not the complaint form, not a changed form).
const fieldKey = (el) => (isChoice(el) ? `${el.name}=${el.value}` : el.name);

// Call on every page, before GOV.UK Frontend starts its components, so the character
// count and the revealed questions follow the restored answers.
export function keepDraft() {
  if (document.querySelector("[data-draft-sent]")) clearDraft();
  const draft = readDraft();
  const form = document.querySelector("form[data-draft]");
  const owner = pageOwner();
  if (!form || !store() || !owner) return;
  // Not the hidden fields (the CSRF token, the step): those come fresh from the server.
  const fields = [...form.elements].filter((el) => el.name && el.type !== "hidden");
  const save = () => {
    const values = fields.map((el) => [fieldKey(el), isChoice(el) ? el.checked : el.value]);
    const saved = { owner, savedAt: Date.now(), path: location.pathname, values };
    store().setItem(KEY, JSON.stringify(saved));
  };
  // A fresh form takes the draft; a form the server sent back (errors, or "Change
  // something") already holds the latest answers, and they become the draft.
  if (form.dataset.draft === "fresh") {
    try {
      const values = draft?.path === location.pathname ? draft.values : [];
      if (values.length === fields.length && values.every(([key], i) => key === fieldKey(fields[i]))) {
        fields.forEach((el, i) => {
          el[isChoice(el) ? "checked" : "value"] = values[i][1];
        });
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
