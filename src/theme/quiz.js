// The quizzes at the end of the topic pages (figures/quiz/*.html, rendered by `cargo xtask quizzes`): pick an
// answer and the page says whether it is right, with why for every choice, the wrong ones too. Nothing is sent
// anywhere and nothing is kept: a reload starts the quiz again.
"use strict";

(function quizzes() {
  document.querySelectorAll(".quiz-question").forEach((question) => {
    const choices = Array.from(question.querySelectorAll(".quiz-choice"));
    const verdict = question.querySelector(".quiz-verdict");
    const letter = (i) => String.fromCharCode(65 + i); // the list's own A, B, C

    function answer(chosen) {
      question.classList.add("quiz-answered");
      const right = choices.findIndex((c) => c.dataset.correct === "true");
      choices.forEach((c, i) => {
        c.querySelector("button").disabled = true;
        c.querySelector(".quiz-why").hidden = false;
        c.classList.toggle("quiz-right", i === right);
        c.classList.toggle("quiz-chosen", i === chosen);
      });
      verdict.hidden = false;
      verdict.textContent = chosen === right ? "Right. " : `Not quite: the answer is ${letter(right)}. `;
      const again = document.createElement("button");
      again.type = "button";
      again.className = "quiz-again";
      again.textContent = "Try again";
      again.addEventListener("click", reset);
      verdict.appendChild(again);
    }

    function reset() {
      question.classList.remove("quiz-answered");
      choices.forEach((c) => {
        c.querySelector("button").disabled = false;
        c.querySelector(".quiz-why").hidden = true;
        c.classList.remove("quiz-right", "quiz-chosen");
      });
      verdict.hidden = true;
      verdict.textContent = "";
      choices[0].querySelector("button").focus();
    }

    choices.forEach((c, i) => c.querySelector("button").addEventListener("click", () => answer(i)));
  });
})();
