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
