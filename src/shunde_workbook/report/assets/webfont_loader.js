/* Load the page's embedded CJK font through the FontFace API as well as through its @font-face rule.
   A browser whose fontconfig knows no font at all (a bare server, a container) often marks the
   @font-face rule's font as failed; the same bytes given to FontFace are decoded at once, before the
   page is laid out or printed, so the text is drawn in the embedded font either way.  On an ordinary
   machine both faces load; they are the same font. */
(function () {
  "use strict";
  var rule = null;
  for (var i = 0; i < document.styleSheets.length && !rule; i++) {
    var rules;
    try { rules = document.styleSheets[i].cssRules; } catch (e) { continue; }
    for (var j = 0; j < rules.length; j++) {
      if (rules[j].type === CSSRule.FONT_FACE_RULE && /base64,/.test(rules[j].style.getPropertyValue("src"))) {
        rule = rules[j];
        break;
      }
    }
  }
  if (!rule || !window.FontFace || !document.fonts) return;
  var data = /base64,([A-Za-z0-9+\/=]+)/.exec(rule.style.getPropertyValue("src"))[1];
  var text = atob(data), bytes = new Uint8Array(text.length);
  for (var k = 0; k < text.length; k++) bytes[k] = text.charCodeAt(k);
  var family = rule.style.getPropertyValue("font-family").replace(/["']/g, "");
  for (var tries = 1; tries <= 5; tries++) {
    var face = new FontFace(family, bytes.buffer, { style: "normal", weight: "400" });
    if (face.status !== "error") {
      document.fonts.add(face);
      document.documentElement.setAttribute("data-embedded-font", face.status);
      return;
    }
  }
  document.documentElement.setAttribute("data-embedded-font", "error");
})();
