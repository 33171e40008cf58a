// Forms inside [data-swap-errors] (the care plan draft, an assessment's life domain) are swapped
// in place by htmx also when the server answers 400 (field errors) or 409 (someone else saved
// first, or the record was frozen meanwhile), so that the message shows where the person is
// working. htmx 2 leaves 4xx unswapped by default.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  const source = event.detail.requestConfig ? event.detail.requestConfig.elt : event.detail.elt;
  if ((status === 400 || status === 409) && source && source.closest("[data-swap-errors]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
