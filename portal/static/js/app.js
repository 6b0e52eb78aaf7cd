// Mesa TIC: small progressive enhancements (no inline scripts: the CSP forbids them).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (event) => {
      if (!window.confirm(el.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  // A table that scrolls sideways (on a phone) must be reachable by keyboard: focusable, and named by
  // its caption or the heading before it (WCAG 2.1.1).
  document.querySelectorAll(".table-responsive:not([tabindex])").forEach((box) => {
    box.setAttribute("tabindex", "0");
    const caption = box.querySelector("caption");
    let heading = box.previousElementSibling;
    while (heading && !/^H[1-6]$/.test(heading.tagName)) heading = heading.previousElementSibling;
    const name = caption ? caption.textContent : heading ? heading.textContent : "";
    if (name.trim()) {
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", name.trim());
    }
  });

  // Live figures (the quorum and the votes in the room): poll the page's JSON and update in place.
  document.querySelectorAll("[data-live-url]").forEach((box) => {
    const url = box.getAttribute("data-live-url");
    const refresh = () => {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : null))
        .then((data) => {
          if (!data) return;
          Object.entries(data).forEach(([key, value]) => {
            document.querySelectorAll(`[data-live-field="${key}"]`).forEach((el) => {
              el.textContent = String(value);
            });
          });
          if ("has_quorum" in data) {
            box.setAttribute("data-quorum", data.has_quorum ? "si" : "no");
            box.classList.toggle("alert-success", data.has_quorum);
            box.classList.toggle("alert-warning", !data.has_quorum);
          }
        })
        .catch(() => {});
    };
    window.setInterval(refresh, 10000);
  });
});
