// The page language (Vietnamese by default, or English), remembered in localStorage. A classic
// script in <head>, so the remembered language applies before the page is drawn.
(function () {
  var KEY = "infraledger.lang";
  var root = document.documentElement;
  try {
    var saved = window.localStorage.getItem(KEY);
    if (saved === "vi" || saved === "en") root.lang = saved;
  } catch (error) { /* storage disabled: keep the default */ }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("lang-toggle");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      root.lang = root.lang === "en" ? "vi" : "en";
      try { window.localStorage.setItem(KEY, root.lang); } catch (error) { /* not remembered */ }
    });
  });
})();
