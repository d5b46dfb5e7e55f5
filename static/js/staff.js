/* Staff workspace niceties; every page works without this file.
   The queue refreshes itself every 30 seconds while its tab is visible, and
   an item's page has keyboard shortcuts for the common actions (press ?). */
(function () {
  "use strict";

  function refreshQueue(results) {
    var seconds = parseInt(results.getAttribute("data-refresh-seconds"), 10) || 30;
    var busy = false;

    function refresh() {
      if (busy || document.visibilityState !== "visible") return;
      // Leave the list alone while someone is using a control inside it.
      if (results.contains(document.activeElement) && document.activeElement !== document.body) return;
      busy = true;
      fetch(window.location.href, {
        credentials: "same-origin",
        headers: { "X-Queue-Refresh": "1" },
        redirect: "manual"
      }).then(function (response) {
        if (!response.ok) {
          // Signed out, or something else changed: show the real page.
          window.location.reload();
          return null;
        }
        return response.text();
      }).then(function (html) {
        if (html === null) return;
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
        var note = document.getElementById("queue-refreshed");
        if (note) {
          var now = new Date();
          note.textContent = (results.getAttribute("data-updated") || "Updated at") + " " +
            String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
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

  function openFiltersOnWideScreens() {
    var panel = document.getElementById("queue-filters");
    if (panel && window.matchMedia("(min-width: 64rem)").matches) panel.open = true;
  }

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
      if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      if (typing(event.target) || (dialog.open && event.key !== "?")) return;
      var action = keys[event.key];
      if (action && action()) event.preventDefault();
    });
  }

  var results = document.getElementById("queue-results");
  if (results) {
    openFiltersOnWideScreens();
    refreshQueue(results);
  }
  var dialog = document.getElementById("shortcuts");
  if (dialog && typeof dialog.showModal === "function") itemShortcuts(dialog);
})();
