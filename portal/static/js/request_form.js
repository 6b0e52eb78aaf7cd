// The request forms (FO-M11-P2-05/12/13): show only what applies to the chosen action and the
// roles of the chosen system. Without JavaScript every field shows, labelled with the actions it
// applies to, and the server ignores or refuses what does not apply.
(() => {
  const form = document.querySelector("[data-request-form]");
  if (!form) return;

  const summary = document.getElementById("resumen-errores");
  if (summary) summary.focus();

  const show = (box, visible) => {
    box.hidden = !visible;
    box.querySelectorAll("input, select, textarea").forEach((input) => {
      input.disabled = !visible;
    });
  };

  const chosenAction = () => {
    const checked = form.querySelector('input[name="action"]:checked');
    return checked ? checked.value : null;
  };

  const applyAction = () => {
    const action = chosenAction();
    form.querySelectorAll("[data-applies-to]").forEach((box) => {
      const actions = box.getAttribute("data-applies-to").split(" ");
      show(box, action === null || actions.includes(action));
    });
  };

  const system = form.querySelector('select[name="system_id"]');
  const refresh = () => {
    applyAction();
    form.querySelectorAll("[data-system]").forEach((box) => {
      const outer = box.parentElement.closest("[data-applies-to]");
      show(box, (!system || box.getAttribute("data-system") === system.value) && !(outer && outer.hidden));
    });
  };

  form.querySelectorAll("[data-no-js-hint]").forEach((hint) => {
    hint.hidden = true;
  });
  form.querySelectorAll('input[name="action"]').forEach((radio) => radio.addEventListener("change", refresh));
  if (system) system.addEventListener("change", refresh);
  refresh();
})();
