// Run and edit the book's listings, when the book is served by `cargo xtask serve` (which writes its
// per-launch secret into every page it serves). On the published site there is no secret: this script then
// adds nothing and sends nothing.
"use strict";

(function runner() {
  const meta = document.querySelector('meta[name="course-runner"]');
  if (!meta) return;
  const secret = meta.content;

  // Complete programs only: a rust listing with `fn main(` (fragments of a file would not compile alone).
  const listings = Array.from(document.querySelectorAll("pre > code.language-rust"))
    .filter((code) => code.textContent.includes("fn main(") && !code.classList.contains("compile_fail"));

  listings.forEach((code, index) => {
    const pre = code.parentElement;
    // a listing whose shown output is timed was built optimised: the reader's run is too (see outputs.rs)
    const shown = pre.nextElementSibling;
    const optimised = Boolean(shown && shown.classList.contains("listing-output") && shown.querySelector(".output-note"));
    const key = `course-runner:${location.pathname}:${index}`;
    const original = code.innerHTML;
    const saved = localStorage.getItem(key);
    if (saved !== null) code.textContent = saved; // an edit survives a reload (its hidden lines now shown)

    code.contentEditable = "plaintext-only";
    code.spellcheck = false;
    code.classList.add("runner-editable");
    code.addEventListener("input", () => localStorage.setItem(key, code.textContent));

    let buttons = pre.querySelector(".buttons");
    if (!buttons) {
      buttons = document.createElement("div");
      buttons.className = "buttons";
      pre.insertBefore(buttons, pre.firstChild);
    }
    const run = button("runner-run", "Run this program (on your machine, with the course's crates)", "▶");
    const reset = button("runner-reset", "Undo my edits", "↺");
    buttons.prepend(reset);
    buttons.prepend(run);

    const output = document.createElement("div");
    output.className = "runner-output";
    output.hidden = true;
    pre.after(output);

    reset.addEventListener("click", () => {
      localStorage.removeItem(key);
      code.innerHTML = original;
      output.hidden = true;
    });
    run.addEventListener("click", () => execute(code.textContent, optimised, output, run));
  });

  function button(className, title, text) {
    const b = document.createElement("button");
    b.className = className;
    b.title = title;
    b.setAttribute("aria-label", title);
    b.textContent = text;
    return b;
  }

  async function execute(program, optimised, output, run) {
    run.disabled = true;
    output.hidden = false;
    output.replaceChildren(line("runner-status", "compiling…"));
    const started = performance.now();
    const tick = setInterval(() => {
      output.firstChild.textContent = `compiling and running… ${((performance.now() - started) / 1000).toFixed(0)} s`;
    }, 500);
    try {
      for (;;) {
        const response = await fetch("/run", {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Course-Runner": secret },
          body: JSON.stringify({ code: program, optimised }),
        });
        const body = await response.json().catch(() => ({ error: `the server answered ${response.status}` }));
        if (response.status === 503 && body.waiting) {
          output.firstChild.textContent = `waiting: ${body.waiting}`;
          await new Promise((r) => setTimeout(r, 2000));
          continue;
        }
        show(output, body, (performance.now() - started) / 1000, optimised);
        break;
      }
    } catch (e) {
      output.replaceChildren(line("runner-error", `the runner is not reachable (${e.message}): is \`cargo xtask serve\` still running?`));
    } finally {
      clearInterval(tick);
      run.disabled = false;
    }
  }

  function show(output, r, seconds, optimised) {
    const parts = [];
    if (r.error) {
      parts.push(line("runner-error", r.error));
    } else if (!r.compiled) {
      parts.push(line("runner-status", `did not compile (${seconds.toFixed(1)} s):`));
      parts.push(line("runner-stderr", r.compile_stderr));
    } else {
      const how = r.timed_out ? "stopped at the time limit"
        : r.signal != null ? `killed by signal ${r.signal}`
        : `exit status ${r.status}`;
      const build = optimised ? " (an optimised build, as the output shown above)" : "";
      parts.push(line("runner-status", `ran in ${seconds.toFixed(1)} s${build}, ${how}${r.truncated ? "; output cut at the limit" : ""}`));
      if (r.stdout) parts.push(line("runner-stdout", r.stdout));
      if (r.stderr) parts.push(line("runner-stderr", r.stderr));
      for (const { name, svg } of r.svgs ?? []) {
        const img = document.createElement("img"); // an <img> runs no script an SVG might hold
        img.alt = name;
        img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
        parts.push(img);
      }
    }
    output.replaceChildren(...parts);
  }

  function line(className, text) {
    const p = document.createElement("pre");
    p.className = className;
    p.textContent = text;
    return p;
  }
})();
