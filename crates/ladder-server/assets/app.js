// Ladder: keyboard help for the people picker (see src/people/picker.rs).
// Every page works without this file; it only saves key presses.
//
// In a picker's search box, Enter adds the first match to the chosen
// people and clears the box for the next name (Enter in an empty box sends
// the form as usual). Ticking a match adds it; unticking a chosen person
// removes them.
(function () {
  "use strict";

  function parts(picker) {
    return {
      input: picker.querySelector("input[type=search]"),
      chosen: picker.querySelector("ul.chosen"),
      box: picker.querySelector(".found-box"),
      status: picker.querySelector("[data-picker-status]"),
      label: picker.querySelector(".picker-chosen-label"),
      multiple: picker.dataset.multiple === "yes",
    };
  }

  function say(p, text) {
    if (p.status) { p.status.textContent = text; }
  }

  function relabel(p) {
    if (p.label) {
      var n = p.chosen.querySelectorAll("input:checked").length;
      p.label.textContent = n === 0 ? "Chosen: no one yet" : "Chosen (" + n + ")";
    }
  }

  function choose(picker, li) {
    var p = parts(picker);
    var box = li.querySelector("input");
    if (!box) { return; }
    if (!p.multiple) {
      while (p.chosen.firstChild) { p.chosen.removeChild(p.chosen.firstChild); }
    }
    box.checked = true;
    p.chosen.appendChild(li);
    p.box.textContent = "";
    p.input.value = "";
    p.input.focus();
    var name = li.querySelector(".pick-name");
    say(p, "Added " + (name ? name.textContent : "") + ".");
    relabel(p);
  }

  function firstMatch(picker) {
    var p = parts(picker);
    var found = p.box.querySelector(".found");
    if (!found || found.dataset.q !== p.input.value.trim()) { return null; }
    return found.querySelector("ul.picks li");
  }

  // Enter in another field of a form with a picker sends the form with
  // its main button (the first submit button would be a picker's "Find").
  document.addEventListener("keydown", function (e) {
    var input = e.target;
    if (e.key !== "Enter" || !(input instanceof HTMLInputElement) || input.type === "search") { return; }
    var form = input.form;
    if (!form || !form.querySelector("[data-picker]") || ["checkbox", "radio", "submit", "button"].indexOf(input.type) >= 0) { return; }
    var send = form.querySelector("button[type=submit]:not([formmethod])");
    if (send) {
      e.preventDefault();
      form.requestSubmit(send);
    }
  });

  document.addEventListener("keydown", function (e) {
    var input = e.target;
    if (e.key !== "Enter" || !(input instanceof HTMLInputElement) || input.type !== "search") { return; }
    var picker = input.closest("[data-picker]");
    if (!picker) { return; }
    e.preventDefault();
    if (input.value.trim() === "") {
      // Send the form with its main button, not the picker's "Find".
      var form = input.form;
      var send = form && form.querySelector("button[type=submit]:not([formmethod])");
      if (form && send) { form.requestSubmit(send); }
      return;
    }
    var li = firstMatch(picker);
    if (li) {
      choose(picker, li);
    } else {
      // The results are not in yet: pick when they come.
      picker.dataset.pending = input.value.trim();
      if (window.htmx) { window.htmx.trigger(input, "search"); }
    }
  });

  // A form sent by htmx that is refused (a character Ladder cannot store,
  // a session that ended) is not swapped: what was typed stays in its
  // box, and the form says why, in the words of the refusal page.
  document.addEventListener("htmx:responseError", function (e) {
    var elt = e.detail && e.detail.elt;
    var form = elt && elt.closest ? elt.closest("form") : null;
    if (!form) { return; }
    var why = "That was not saved (" + e.detail.xhr.status + ").";
    var page = new DOMParser().parseFromString(e.detail.xhr.responseText || "", "text/html");
    var said = page.querySelector("#refused-why, main .notice");
    if (said && said.textContent.trim()) { why = said.textContent.trim(); }
    var box = form.querySelector("[data-refused]");
    if (!box) {
      box = document.createElement("p");
      box.className = "field-error";
      box.setAttribute("role", "alert");
      box.setAttribute("data-refused", "");
      form.appendChild(box);
    }
    box.textContent = why + " What you typed is still here; change it and save again.";
  });

  document.addEventListener("htmx:afterSettle", function (e) {
    var target = e.detail && e.detail.target;
    if (!target || !target.classList || !target.classList.contains("found-box")) { return; }
    var picker = target.closest("[data-picker]");
    if (!picker || !picker.dataset.pending) { return; }
    var li = firstMatch(picker);
    if (li && picker.dataset.pending === parts(picker).input.value.trim()) {
      delete picker.dataset.pending;
      choose(picker, li);
    } else if (!li) {
      delete picker.dataset.pending;
      say(parts(picker), "No one matches.");
    }
  });

  document.addEventListener("change", function (e) {
    var box = e.target;
    if (!(box instanceof HTMLInputElement) || (box.type !== "checkbox" && box.type !== "radio")) { return; }
    var picker = box.closest("[data-picker]");
    if (!picker) { return; }
    var li = box.closest("li");
    var p = parts(picker);
    if (box.closest(".found-box") && box.checked) {
      choose(picker, li);
    } else if (box.closest("ul.chosen") && !box.checked) {
      var name = li.querySelector(".pick-name");
      li.parentNode.removeChild(li);
      say(p, "Removed " + (name ? name.textContent : "") + ".");
      relabel(p);
      p.input.focus();
    }
  });
})();
