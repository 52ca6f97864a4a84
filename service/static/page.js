/* The search page: the widget in page mode, plus an interface-language switch. */
(function () {
  "use strict";
  var intro = {en: "Search European good practices in migrant integration, in English or Italian.",
               it: "Cerca buone pratiche europee per l'integrazione dei migranti, in italiano o in inglese."};
  document.querySelectorAll("[data-ui-lang]").forEach(function (button) {
    button.addEventListener("click", function () {
      var lang = button.getAttribute("data-ui-lang");
      document.documentElement.lang = lang;
      document.getElementById("intro").textContent = intro[lang];
      document.querySelectorAll("[data-ui-lang]").forEach(function (b) {
        b.setAttribute("aria-pressed", String(b === button));
      });
      document.getElementById("search").practiceSearch.setLang(lang);
    });
  });
})();
