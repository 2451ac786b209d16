// Quick capture: Enter saves (Shift+Enter is a new line), a live preview of what will be stored,
// similar notes with a one-tap +1, and the complaint contact block shown only for complaints.
(() => {
  const form = document.getElementById("capture-form");
  if (!form) return;
  const text = form.querySelector("[data-capture-text]");
  const kind = form.querySelector("#id_kind");
  const channel = form.querySelector("#id_channel");
  const contact = form.querySelector("[data-contact]");
  const count = form.querySelector("[data-count]");
  const preview = form.querySelector("[data-preview]");
  const previewText = form.querySelector("[data-preview-text]");
  const previewMeta = form.querySelector("[data-preview-meta]");
  const list = document.querySelector("[data-similar]");
  const empty = document.querySelector("[data-similar-empty]");
  const template = document.getElementById("similar-item");
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const suggestionBox = form.querySelector("[data-suggestions]");
  const suggestionList = form.querySelector("[data-suggestion-list]");
  const suggestionStatus = form.querySelector("[data-suggestion-status]");
  const suggestionTemplate = document.getElementById("suggestion-item");

  // Open questions and themes like the text: a "+1" counts the customer without a new note.
  // Counted once: the button says so and keeps the keyboard focus (a disabled button would drop
  // it to the page), and the count beside it moves.
  const plusOne = async (url, button, meta) => {
    if (button.getAttribute("aria-disabled") === "true") return;
    button.setAttribute("aria-disabled", "true");
    const body = new URLSearchParams({ channel: channel.value });
    const response = await fetch(url, {
      method: "POST", body, headers: { "X-CSRFToken": csrf, Accept: "application/json" }, credentials: "same-origin",
      redirect: "manual",  // signed out: the sign-in page is no success
    }).catch(() => null);
    const data = response ? await response.json().catch(() => null) : null;
    const counted = response !== null && response.ok && data !== null;
    suggestionStatus.textContent = (data && data.detail) || (counted ? "" : suggestionStatus.dataset.failed);
    if (!counted) { button.removeAttribute("aria-disabled"); return; }
    button.textContent = data.detail;
    if (data.meta) meta.textContent = data.meta;
  };
  const showSuggestions = (items) => {
    suggestionList.replaceChildren();
    for (const item of items) {
      const node = suggestionTemplate.content.cloneNode(true);
      node.querySelector(".suggestion-kind").textContent = item.kind_label;
      node.querySelector(".suggestion-text").textContent = item.text;
      const meta = node.querySelector(".suggestion-meta");
      meta.textContent = item.meta;
      const button = node.querySelector("[data-plus-one]");
      if (item.plus_one_url) button.addEventListener("click", () => plusOne(item.plus_one_url, button, meta));
      else button.remove();
      suggestionList.appendChild(node);
    }
    suggestionBox.hidden = items.length === 0;
  };

  const submit = () => form.requestSubmit(form.querySelector("button[name=save]"));
  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    if (event.target === text || event.target.tagName === "SELECT") {
      event.preventDefault();
      submit();
    }
  });
  const showContact = () => { contact.hidden = kind.value !== "complaint"; };
  kind.addEventListener("change", showContact);
  showContact();

  let timer = null;
  let last = "";
  const assist = async () => {
    const value = text.value.trim();
    count.textContent = text.value.length;
    if (value === last) return;
    last = value;
    if (value.length < 3) {
      preview.hidden = true; list.replaceChildren(); empty.hidden = false; showSuggestions([]); return;
    }
    const body = new URLSearchParams({ text: value });
    const response = await fetch(form.dataset.assistUrl, {
      method: "POST", body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin",
    });
    if (!response.ok) return;
    const data = await response.json();
    previewText.textContent = data.preview.text;
    const removed = Object.entries(data.preview.found).map(([k, n]) => `${k} ×${n}`).join(", ");
    previewMeta.textContent = `${data.preview.language_label}${removed ? " · " + removed : ""}`;
    preview.hidden = false;
    list.replaceChildren();
    for (const item of data.similar) {
      const node = template.content.cloneNode(true);
      node.querySelector(".similar-text").textContent = item.text;
      node.querySelector(".similar-meta").textContent = `${item.kind} · ${item.site} · ${item.when}${item.tallies ? " · +" + item.tallies : ""}`;
      const plus = node.querySelector("form");
      plus.action = item.plus_one_url;
      plus.querySelector("[name=channel]").value = channel.value;
      list.appendChild(node);
    }
    empty.hidden = data.similar.length > 0;
    showSuggestions(data.suggestions || []);
  };
  text.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(assist, 250); });
  channel.addEventListener("change", () => {
    list.querySelectorAll("[name=channel]").forEach((input) => { input.value = channel.value; });
  });
  if (text.value) assist();
})();
