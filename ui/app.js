// Placeholder: proves the page and its module script load inside the app.
const status = document.getElementById("status");
status.textContent = window.__TAURI__ ? "Ready." : "Ready (outside the app).";
