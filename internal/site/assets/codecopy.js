// Copy buttons for the code blocks of the reference pages. The page holds
// only the code: this adds a button to each .codeblock, which copies the
// code and says so, on the button and to screen readers. Without
// JavaScript, or without the clipboard API (pages not served over HTTPS
// or from localhost), there is no button and the code is selectable as
// ever.
(function () {
  "use strict";
  var blocks = document.querySelectorAll(".codeblock");
  if (!blocks.length || !navigator.clipboard || !navigator.clipboard.writeText) { return; }

  // One polite live region for the page, there before anything is said
  // into it, so that screen readers announce what is.
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  (document.querySelector("main") || document.body).appendChild(status);
  var said;
  function say(msg) {
    // Emptied first, so that "Copied" twice is announced twice.
    status.textContent = "";
    clearTimeout(said);
    said = setTimeout(function () { status.textContent = msg; }, 50);
  }

  Array.prototype.forEach.call(blocks, function (block) {
    var pre = block.querySelector("pre");
    if (!pre) { return; }
    var caption = block.querySelector("figcaption");
    var what = caption ? caption.textContent.toLowerCase() : "code";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    var label = document.createElement("span");
    label.textContent = "Copy";
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " " + what;
    button.append(label, hidden);
    block.insertBefore(button, pre);

    var reset;
    function show(text) {
      label.textContent = text;
      clearTimeout(reset);
      reset = setTimeout(function () { label.textContent = "Copy"; }, 2000);
    }
    button.addEventListener("click", function () {
      // The code without the newline that ends every block, so that a
      // pasted command does not run before it is read.
      var text = pre.textContent.replace(/\n$/, "");
      navigator.clipboard.writeText(text).then(function () {
        show("Copied");
        say("Copied " + what + " to the clipboard");
      }, function () {
        // Denied: select the code, so that the keyboard can copy it.
        window.getSelection().selectAllChildren(pre);
        show("Selected");
        say("Could not copy; the " + what + " is selected: press Control C or Command C to copy it");
      });
    });
  });
}());
