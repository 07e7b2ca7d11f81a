// The article body: the vendored Trix editor in place of the plain text area. Without
// JavaScript the text area stays and its text is kept as paragraphs by the server.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("textarea.js-trix-source").forEach((area) => {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = area.name;
    input.id = area.id + "-html";
    input.value = area.value;
    const editor = document.createElement("trix-editor");
    editor.setAttribute("input", input.id);
    editor.setAttribute("aria-labelledby", area.id + "-label");
    editor.classList.add("form-control", "trix-content");
    area.name = "";
    area.hidden = true;
    area.after(input, editor);
  });
  // No file attachments inside the text: pictures go through the image field.
  document.addEventListener("trix-file-accept", (event) => event.preventDefault());
});
