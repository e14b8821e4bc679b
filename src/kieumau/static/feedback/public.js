// Feedback form: hide the contact fields while "send anonymously" is ticked.
(function () {
  "use strict";
  var box = document.getElementById("anonymous");
  var contact = document.getElementById("contact");
  if (!box || !contact) { return; }
  function sync() {
    contact.hidden = box.checked;
    contact.querySelectorAll("input").forEach(function (input) { input.disabled = box.checked; });
  }
  box.addEventListener("change", sync);
  sync();
})();
