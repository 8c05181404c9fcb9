// Starts Swagger UI on the API reference page (templates/proposals/api_reference.html). A file,
// not an inline script: the site's Content Security Policy allows scripts from 'self' only.
"use strict";

(function () {
  const root = document.getElementById("swagger-ui");
  const csrfToken = root.dataset.csrfToken;

  // "Try it out" with the session of the person signed in: Django wants the CSRF token
  // on every request that may change something.
  const addCsrfToken = (request) => {
    if (!["GET", "HEAD", "OPTIONS", undefined].includes(request.method)) {
      request.headers["X-CSRFToken"] = csrfToken;
    }
    return request;
  };

  window.ui = SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    validatorUrl: null,
    requestInterceptor: addCsrfToken,
  });
})();
