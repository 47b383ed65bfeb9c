// Starts Swagger UI on the API reference page (/docs) from the bundled assets, reading /openapi.json.
window.addEventListener("load", () => {
  window.ui = window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
