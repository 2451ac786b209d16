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
    // A sentence edited in one language marks the others that still read as drafted.
    const boxes = [...item.querySelectorAll("[data-sentence]")];
    const note = item.querySelector("[data-stale-note]");
    if (boxes.length > 1 && note) {
      const originals = boxes.map((box) => box.value);
      const check = () => {
        // In the order English, Spanish, Galician: each follows the ones before it.
        const changed = boxes.map((box, i) => box.value !== originals[i]);
        let stale = false;
        boxes.forEach((box, i) => {
          const lagging = changed.slice(0, i).some(Boolean) && !changed[i] && originals[i] !== "";
          box.classList.toggle("stale", lagging);
          stale = stale || lagging;
        });
        note.hidden = !stale;
      };
      boxes.forEach((box) => box.addEventListener("input", check));
    }
  });
  document.documentElement.classList.add("js-reorder");
});

// A form sent back with errors: the keyboard and screen readers start at the list of them.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
});
