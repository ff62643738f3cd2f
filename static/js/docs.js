// The API documentation page: Swagger UI served from this origin (no CDN, no inline script).
const root = document.getElementById('swagger-ui');
window.ui = window.SwaggerUIBundle({ url: root.dataset.openapiUrl, dom_id: '#swagger-ui', deepLinking: true });
