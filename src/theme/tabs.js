// Python | Rust: a Python listing (with its output box) right before its Rust twin (with its own) becomes two
// tabs. The reader's choice holds on every page (kept in this browser's localStorage, on this site only).
// Without the script, the two listings show one after the other.
"use strict";

(function tabs() {
  const KEY = "course-listing-language";
  const LANGUAGES = ["python", "rust"];
  const NAMES = { python: "Python", rust: "Rust" };
  const stored = () => {
    try {
      return localStorage.getItem(KEY);
    } catch (e) {
      return null; // storage blocked: every page starts on Rust
    }
  };
  const groups = [];

  function show(language, keep) {
    groups.forEach((g) => {
      LANGUAGES.forEach((l) => {
        g.panels[l].hidden = l !== language;
        g.buttons[l].setAttribute("aria-selected", String(l === language));
        g.buttons[l].tabIndex = l === language ? 0 : -1;
      });
    });
    if (keep) {
      try {
        localStorage.setItem(KEY, language);
      } catch (e) {
        // not kept: the choice holds on this page only
      }
    }
  }

  document.querySelectorAll("main .python-output").forEach((pythonOutput, n) => {
    const python = pythonOutput.previousElementSibling;
    const rust = pythonOutput.nextElementSibling;
    if (!python || !python.querySelector("code.language-python") || !rust || !rust.querySelector("code.language-rust")) {
      return;
    }
    const rustOutput = rust.nextElementSibling && rust.nextElementSibling.classList.contains("listing-output") ? rust.nextElementSibling : null;
    const box = document.createElement("div");
    box.className = "code-tabs";
    const bar = document.createElement("div");
    bar.className = "code-tabs-bar";
    bar.setAttribute("role", "tablist");
    python.before(box);
    box.appendChild(bar);
    const group = { panels: {}, buttons: {} };
    const members = { python: [python, pythonOutput], rust: rustOutput ? [rust, rustOutput] : [rust] };
    LANGUAGES.forEach((language) => {
      const panel = document.createElement("div");
      panel.className = "code-tabs-panel";
      panel.id = `code-tab-${n}-${language}`;
      panel.setAttribute("role", "tabpanel");
      members[language].forEach((el) => panel.appendChild(el));
      box.appendChild(panel);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "code-tabs-button";
      button.textContent = NAMES[language];
      button.setAttribute("role", "tab");
      button.setAttribute("aria-controls", panel.id);
      button.addEventListener("click", () => show(language, true));
      button.addEventListener("keydown", (e) => {
        if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
          const other = LANGUAGES[(LANGUAGES.indexOf(language) + 1) % LANGUAGES.length];
          show(other, true);
          group.buttons[other].focus();
        }
      });
      bar.appendChild(button);
      group.panels[language] = panel;
      group.buttons[language] = button;
    });
    groups.push(group);
  });
  if (groups.length > 0) {
    show(LANGUAGES.includes(stored()) ? stored() : "rust", false);
  }
})();
