// Upload orders: while a large file is sent and screened, say so and show its progress.
(function () {
  var form = document.getElementById("upload-form");
  if (!form) return;
  form.addEventListener("submit", function (event) {
    var file = document.getElementById("file").files[0];
    var status = document.getElementById("upload-progress");
    if (!file || !window.XMLHttpRequest) { return; }
    event.preventDefault();
    var bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    status.textContent = "Sending " + file.name + "… ";
    status.appendChild(bar);
    form.querySelector("button[type=submit]").disabled = true;
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
    });
    request.upload.addEventListener("load", function () {
      status.firstChild.textContent = "Screening and storing " + file.name + "… ";
      bar.removeAttribute("value");
    });
    request.onload = function () {
      // The result page (or the page with the problems) replaces this one.
      if (request.responseURL && request.responseURL !== window.location.href && request.status < 400) {
        window.location.assign(request.responseURL);
      } else {
        var page = new DOMParser().parseFromString(request.responseText, "text/html");
        document.title = page.title;
        document.body.replaceWith(page.body);
      }
    };
    request.onerror = function () {
      status.textContent = "The upload failed (connection lost). Try again.";
      form.querySelector("button[type=submit]").disabled = false;
    };
    request.send(new FormData(form));
  });
})();
