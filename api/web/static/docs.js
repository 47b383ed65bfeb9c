// Starts Swagger UI on the API reference page (/docs) from the bundled assets, reading /openapi.json.
// Deep links are off: they put a link inside each operation's toggle button (nested controls);
// syntax highlighting is off: its colours fall below the contrast WCAG AA asks for.
window.addEventListener("load", () => {
  window.ui = window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: false,
    syntaxHighlight: { activated: false },
  });
});
