/* "Gunakan lokasi saya" on the complaint form: fills latitude and longitude
   from the phone's location when the browser offers it and the person
   allows it. Without this script, or without a location, the address and
   the coordinates are typed by hand. Messages come translated from the
   page's data-* attributes. */
(function () {
  "use strict";
  var box = document.getElementById("lokasi-saya");
  if (!box || !navigator.geolocation || !window.isSecureContext) return;
  var button = box.querySelector("button");
  var status = box.querySelector("[role=status]");
  var lat = document.getElementById("lat");
  var lon = document.getElementById("lon");
  var details = document.getElementById("koordinat");
  function say(name) { status.textContent = box.getAttribute("data-" + name); }
  button.addEventListener("click", function () {
    button.disabled = true;
    say("wait");
    navigator.geolocation.getCurrentPosition(function (position) {
      lat.value = position.coords.latitude.toFixed(6);
      lon.value = position.coords.longitude.toFixed(6);
      if (details) details.open = true;
      button.disabled = false;
      say("done");
    }, function (error) {
      button.disabled = false;
      say(error.code === error.PERMISSION_DENIED ? "denied" : "failed");
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  });
  box.hidden = false;
})();
