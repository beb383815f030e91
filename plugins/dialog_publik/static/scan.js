// Check-in by camera: a progressive enhancement. Where the browser offers
// BarcodeDetector and a camera, a "scan" button appears; a recognised QR code
// fills the code field and submits the form. Typing always works without it.
(function () {
  "use strict";
  var input = document.getElementById("code");
  if (!input || !("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button secondary";
  button.textContent = input.getAttribute("data-scan-label") || "Scan";
  var video = document.createElement("video");
  video.setAttribute("playsinline", "");
  video.hidden = true;
  video.style.maxWidth = "100%";
  input.form.appendChild(button);
  input.form.appendChild(video);
  var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  button.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      var stop = function () { stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true; };
      var look = function () {
        detector.detect(video).then(function (codes) {
          if (codes.length) {
            stop();
            input.value = codes[0].rawValue.trim();
            input.form.submit();
          } else {
            window.requestAnimationFrame(look);
          }
        }).catch(stop);
      };
      look();
    }).catch(function () { button.disabled = true; });
  });
}());
