// Starts Swagger UI on the vendored bundle. validatorUrl null: Swagger UI would otherwise send
// the document to an outside validator.
window.ui = SwaggerUIBundle({
  url: document.getElementById("api-docs").dataset.spec,
  dom_id: "#api-docs",
  validatorUrl: null,
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
});
