// Django admin, periodic tasks: say in words what the chosen crontab means.
// django-celery-beat ships this as an inline script, which the Content-Security-Policy refuses.
(function () {
  "use strict";
  const data = document.getElementById("readable-crontabs");
  const field = document.querySelector(".field-crontab");
  const select = document.getElementById("id_crontab");
  const help = field && field.querySelector(".help");
  if (!data || !field || !select || !help) return;
  const readable = JSON.parse(data.textContent);
  const original = help.textContent;
  const translationRow = document.querySelector(".field-crontab_translation");
  if (translationRow) translationRow.hidden = true;
  field.addEventListener("change", function () {
    help.textContent = original;
    const meaning = readable[select.value];
    if (meaning) {
      help.appendChild(document.createElement("br"));
      help.appendChild(document.createTextNode("Translation: " + meaning));
    }
  });
})();
