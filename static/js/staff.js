/* Staff workspace niceties; every page works without this file.
   The queue refreshes itself every 30 seconds, marks a new child at risk and counts it in the
   tab's title; every staff page warns two minutes before the idle sign-out and, once signed
   out, says so instead of looking alive; an item's page has keyboard shortcuts (press ?). */
(function () {
  "use strict";

  var session = document.getElementById("staff-session");
  var gone = false; // signed out: the page is only the banner now, and nothing else runs
  var BACKGROUND = { "X-Queue-Refresh": "1" }; // the server does not count these as activity

  function signedOutAnswer(response) {
    // The server answers a background request with a 401 once signed out; anything else
    // signed out (the second factor gone, say) is a redirect to the sign-in page.
    return response.status === 401 || response.type === "opaqueredirect";
  }

  /* --- What was typed, kept across signing in again ---------------------------------------
     Kept in sessionStorage, keyed by the page's path, and put back (then forgotten) when the
     same page opens again after signing in. sessionStorage belongs to this tab and dies with
     it, which is right for a worker's notes about a child: nothing outlives the tab, and no
     other tab or browser sees it. Another worker signing in on this tab does not get it. */

  function draftKey() {
    return "staff-draft:" + window.location.pathname;
  }

  function changedFields() {
    var fields = document.querySelectorAll(
      "main form[method=post] textarea, main form[method=post] input, main form[method=post] select"
    );
    return Array.prototype.filter.call(fields, function (field) {
      if (!field.id || field.type === "hidden" || field.type === "submit") return false;
      if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
      if (field.tagName === "SELECT") {
        return Array.prototype.some.call(field.options, function (option) {
          return option.selected !== option.defaultSelected;
        });
      }
      return field.value !== field.defaultValue;
    });
  }

  function keepDrafts() {
    var fields = changedFields();
    if (!fields.length) return;
    var kept = { user: session.getAttribute("data-user"), fields: {} };
    fields.forEach(function (field) {
      kept.fields[field.id] = field.type === "checkbox" || field.type === "radio" ? field.checked : field.value;
    });
    try {
      window.sessionStorage.setItem(draftKey(), JSON.stringify(kept));
    } catch (error) {
      // Storage full or refused: nothing more we can do.
    }
  }

  function restoreDrafts() {
    var kept = null;
    try {
      kept = JSON.parse(window.sessionStorage.getItem(draftKey()));
      window.sessionStorage.removeItem(draftKey());
    } catch (error) {
      return; // storage refused, or not ours to read
    }
    if (!kept || !kept.fields || kept.user !== session.getAttribute("data-user")) return;
    var restored = false;
    Object.keys(kept.fields).forEach(function (id) {
      var field = document.getElementById(id);
      if (!field) return;
      if (field.type === "checkbox" || field.type === "radio") field.checked = kept.fields[id];
      else field.value = kept.fields[id];
      for (var panel = field.closest("details"); panel; panel = panel.parentElement.closest("details")) {
        panel.open = true;
      }
      restored = true;
    });
    var note = document.getElementById("drafts-back");
    var main = document.querySelector("main");
    if (restored && note && main) {
      main.insertBefore(note, main.firstChild);
      note.hidden = false;
    }
  }

  /* --- Signed out: say so, full width, and in the tab's title ----------------------------- */

  function showSignedOut() {
    if (gone) return;
    gone = true;
    keepDrafts();
    var template = document.getElementById("signed-out-template");
    var main = document.createElement("main");
    main.id = "main";
    main.className = "signed-out-page";
    main.appendChild(template.content.cloneNode(true));
    var link = main.querySelector("[data-sign-in]");
    var here = window.location.pathname + window.location.search;
    link.href = link.getAttribute("href") + "?next=" + encodeURIComponent(here).replace(/%2F/g, "/");
    // The whole page goes: a laptop left open shows no child's words, and no control that
    // only looks like it still works.
    document.body.replaceChildren(main);
    document.title = session.getAttribute("data-signed-out-title");
  }

  /* --- The warning two minutes before the idle sign-out ----------------------------------- */

  function watchIdle() {
    var WARN_SECONDS = 120;
    var warning = document.getElementById("session-warning");
    var form = warning.querySelector("form");
    var timer = null;
    var warnAt = 0; // by this page's clock

    // The server keeps the time (another tab may have kept the session alive), so the page
    // asks it before warning, and again when the time should be up.
    function plan(secondsLeft) {
      window.clearTimeout(timer);
      if (secondsLeft === null) return; // no idle limit for this account
      if (secondsLeft > WARN_SECONDS) {
        warning.hidden = true;
        warnAt = Date.now() + (secondsLeft - WARN_SECONDS) * 1000;
        timer = window.setTimeout(check, (secondsLeft - WARN_SECONDS) * 1000);
      } else {
        warning.hidden = false;
        warnAt = Date.now();
        timer = window.setTimeout(check, (secondsLeft + 2) * 1000);
      }
    }

    function check() {
      if (gone) return;
      fetch(session.getAttribute("data-status-url"), {
        credentials: "same-origin",
        headers: BACKGROUND,
        redirect: "manual"
      }).then(function (response) {
        if (signedOutAnswer(response)) return showSignedOut();
        if (!response.ok) throw new Error(String(response.status));
        return response.json().then(function (data) { plan(data.seconds_left); });
      }).catch(function () {
        // Offline for a moment: ask again soon.
        timer = window.setTimeout(check, 30000);
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        redirect: "manual"
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        // Too late: the server signed the session out and answered with its own page.
        if (signedOutAnswer(response) || (response.ok && type.indexOf("json") === -1)) return showSignedOut();
        if (!response.ok) return null;
        return response.json().then(function (data) { plan(data.seconds_left); });
      }).catch(function () {
        // Offline: the warning stays, and the button can be pressed again.
      });
    });

    // A laptop that slept, or a tab the browser put to sleep, catches up when looked at.
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && warnAt && Date.now() >= warnAt) check();
    });

    var left = session.getAttribute("data-seconds-left");
    plan(left === "" ? null : parseInt(left, 10));
  }

  /* --- The queue: fresh every 30 seconds, and a new child at risk is announced ------------- */

  function urgentRefs(results) {
    return Array.prototype.map.call(results.querySelectorAll("[data-urgent][data-ref]"), function (el) {
      return el.getAttribute("data-ref");
    });
  }

  function refreshQueue(results) {
    var seconds = parseInt(results.getAttribute("data-refresh-seconds"), 10) || 30;
    var busy = false;
    var title = document.title;
    var known = new Set(urgentRefs(results)); // every child at risk this page has shown
    var arrived = new Set(); // those that came while the page was open

    function announce() {
      urgentRefs(results).forEach(function (ref) {
        if (known.has(ref)) return;
        known.add(ref);
        arrived.add(ref);
        notify(ref);
      });
      var shown = new Set();
      results.querySelectorAll("[data-urgent][data-ref]").forEach(function (el) {
        var ref = el.getAttribute("data-ref");
        var place = el.querySelector(".card-title, th");
        if (!arrived.has(ref) || !place) return;
        shown.add(ref);
        var tag = document.createElement("strong");
        tag.className = "tag new";
        tag.textContent = results.getAttribute("data-new");
        place.append(" ", tag);
      });
      var count = shown.size ? results.getAttribute("data-new-urgent").replace("{n}", shown.size) : "";
      document.title = count ? "(" + count + ") " + title : title;
      return count;
    }

    function notify(ref) {
      if (!("Notification" in window) || window.Notification.permission !== "granted") return;
      try {
        // The reference only: a notification can show on a locked screen.
        var shown = new window.Notification(results.getAttribute("data-notify-title"), { body: ref, tag: ref });
        shown.onclick = function () { window.focus(); };
      } catch (error) {
        // Some phones only notify through a service worker; the title still counts it.
      }
    }

    function refresh() {
      // Hidden tabs refresh too (the browser slows them): the title is how a queue in a
      // background tab tells the duty worker. It is not activity, so it holds no session open.
      if (busy || gone) return;
      // Leave the list alone while someone is using a control inside it.
      if (results.contains(document.activeElement) && document.activeElement !== document.body) return;
      busy = true;
      fetch(window.location.href, {
        credentials: "same-origin",
        headers: BACKGROUND,
        redirect: "manual"
      }).then(function (response) {
        if (signedOutAnswer(response)) {
          showSignedOut();
          return null;
        }
        if (!response.ok) {
          // Something else changed: show the real page.
          window.location.reload();
          return null;
        }
        return response.text();
      }).then(function (html) {
        if (html === null || gone) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var freshResults = fresh.getElementById("queue-results");
        var freshTabs = fresh.getElementById("queue-tabs");
        var tabs = document.getElementById("queue-tabs");
        if (!freshResults) {
          window.location.reload();
          return;
        }
        results.innerHTML = freshResults.innerHTML;
        if (tabs && freshTabs) tabs.innerHTML = freshTabs.innerHTML;
        var count = announce();
        var note = document.getElementById("queue-refreshed");
        if (note) {
          var now = new Date();
          note.textContent = (results.getAttribute("data-updated") || "Updated at") + " " +
            String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0") +
            (count ? ". " + count : "");
        }
      }).catch(function () {
        // Offline for a moment: try again next time.
      }).then(function () {
        busy = false;
      });
    }

    window.setInterval(refresh, seconds * 1000);
    document.addEventListener("visibilitychange", refresh);
  }

  function offerNotifications() {
    var offer = document.getElementById("notify-offer");
    var button = document.getElementById("allow-notifications");
    if (!offer || !button || !("Notification" in window) || window.Notification.permission !== "default") return;
    offer.hidden = false;
    // Browsers ask only from a click, and a worker may say no: never ask on our own.
    button.addEventListener("click", function () {
      window.Notification.requestPermission().then(function (answer) {
        offer.hidden = answer !== "default";
      });
    });
  }

  function openFiltersOnWideScreens() {
    var panel = document.getElementById("queue-filters");
    if (panel && window.matchMedia("(min-width: 64rem)").matches) panel.open = true;
  }

  /* --- A saved reply fills the reply box, to be read and changed before it is sent -------- */

  function savedReplies(picker) {
    var select = picker.querySelector("select");
    var button = picker.querySelector("button");
    var status = picker.querySelector("[data-saved-status]");
    var form = picker.closest("form");
    var box = form && form.querySelector("textarea[name=text]");
    if (!select || !button || !box) return;
    var last = ""; // what the last saved reply put in the box

    // Into an empty box, or over the saved reply just put there; after anything the worker
    // wrote only when they press Use, so nothing they typed is lost.
    function fill(pressed) {
      var option = select.options[select.selectedIndex];
      var text = option ? option.getAttribute("data-text") : "";
      if (!text) return false;
      var current = box.value.trim();
      if (!current || current === last.trim()) box.value = text;
      else if (pressed) box.value = box.value.replace(/\s+$/, "") + "\n\n" + text;
      else return false;
      last = text;
      box.dispatchEvent(new Event("input", { bubbles: true })); // the character count
      if (status) status.textContent = status.getAttribute("data-filled");
      return true;
    }

    select.addEventListener("change", function () { fill(false); });
    button.addEventListener("click", function (event) {
      if (!fill(true)) return; // nothing chosen: the server says so
      event.preventDefault();
      box.focus();
    });
  }

  /* --- An item's keyboard shortcuts -------------------------------------------------------- */

  function typing(target) {
    var name = target && target.tagName;
    return name === "INPUT" || name === "TEXTAREA" || name === "SELECT" ||
      (target && target.isContentEditable);
  }

  function itemShortcuts(dialog) {
    var hint = document.getElementById("shortcut-hint");
    if (hint) hint.hidden = false;

    function focusField(id, panelId) {
      var field = document.getElementById(id);
      if (!field) return false;
      var panel = panelId && document.getElementById(panelId);
      if (panel) panel.open = true;
      field.focus();
      return true;
    }

    function focusButton(id) {
      var button = document.getElementById(id);
      if (!button) return false;
      button.focus();
      return true;
    }

    var keys = {
      r: function () { return focusField("id_reply_text"); },
      n: function () { return focusField("id_note_text", "note-panel"); },
      a: function () { return focusButton("action-acknowledge"); },
      t: function () { return focusButton("action-take"); },
      q: function () {
        var back = document.getElementById("back-to-queue");
        if (back) window.location.href = back.href;
        return Boolean(back);
      },
      "?": function () {
        if (dialog.open) dialog.close(); else dialog.showModal();
        return true;
      }
    };

    document.addEventListener("keydown", function (event) {
      if (gone || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      if (typing(event.target) || (dialog.open && event.key !== "?")) return;
      var action = keys[event.key];
      if (action && action()) event.preventDefault();
    });
  }

  if (session) {
    restoreDrafts();
    watchIdle();
  }
  var results = document.getElementById("queue-results");
  if (results) {
    openFiltersOnWideScreens();
    offerNotifications();
    refreshQueue(results);
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-saved-replies]"), savedReplies);
  var dialog = document.getElementById("shortcuts");
  if (dialog && typeof dialog.showModal === "function") itemShortcuts(dialog);
})();
