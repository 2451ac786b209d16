// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector(".nav-button");
  const nav = document.getElementById("site-nav");
  if (!button || !nav) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    const open = nav.classList.toggle("open");
    button.setAttribute("aria-expanded", String(open));
  });
});

// Filters start open at a desk and folded on a phone (where they would fill the first screen),
// unless some are in use (the server opens those).
document.addEventListener("DOMContentLoaded", () => {
  if (!window.matchMedia("(min-width: 641px)").matches) return;
  document.querySelectorAll("details[data-filters]").forEach((box) => { box.open = true; });
});

// The newsletter editor: move facts with buttons (the position boxes stay for no-JS use), and
// mark a Spanish sentence as stale as soon as its English one is edited.
document.addEventListener("DOMContentLoaded", () => {
  const list = document.querySelector("[data-reorder]");
  if (!list) return;
  const renumber = () => {
    list.querySelectorAll("[data-fact]").forEach((item, index) => {
      const box = item.querySelector("[data-position]");
      if (box) box.value = String(index);
    });
  };
  list.querySelectorAll("[data-fact]").forEach((item) => {
    const move = item.querySelector("[data-move]");
    if (move) move.hidden = false;
    item.querySelector("[data-up]")?.addEventListener("click", () => {
      if (item.previousElementSibling) list.insertBefore(item, item.previousElementSibling);
      renumber();
      item.querySelector("[data-up]").focus();
    });
    item.querySelector("[data-down]")?.addEventListener("click", () => {
      if (item.nextElementSibling) list.insertBefore(item.nextElementSibling, item);
      renumber();
      item.querySelector("[data-down]").focus();
    });
    const en = item.querySelector("[data-sentence-en]");
    const es = item.querySelector("[data-sentence-es]");
    const note = item.querySelector("[data-stale-note]");
    if (en && es && note) {
      const original = en.value;
      const originalEs = es.value;
      const check = () => {
        const stale = en.value !== original && es.value === originalEs;
        note.hidden = !stale;
        es.classList.toggle("stale", stale);
      };
      en.addEventListener("input", check);
      es.addEventListener("input", check);
    }
  });
  document.documentElement.classList.add("js-reorder");
});
