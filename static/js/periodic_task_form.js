"use strict";
// The periodic task form's crontab help in words (django-celery-beat's own inline script, as a
// file, since the Content Security Policy refuses inline scripts).
(function () {
  const $ = window.django.jQuery;
  const help = document.currentScript.dataset.crontabHelp || "";
  const readable = JSON.parse(document.getElementById("readable-crontabs").textContent);
  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    $(".field-crontab .help").text(help).append("<br>", document.createTextNode(readable[$("#id_crontab").val()] || ""));
  });
})();
