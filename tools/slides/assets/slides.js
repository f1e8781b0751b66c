/* The decks' layout step (tools/slides/build_slides.py): each slide's figures drawn as large as the slide
   allows, and a slide whose content would still overflow the 960 x 700 frame shrunk to fit (zoom). Runs
   when a slide is shown, again after MathJax typesets it, and when a solution is opened. */
(function () {
  "use strict";
  var MIN_FIGURE = 200;     // px: a figure is never squeezed below this
  var MAX_UPSCALE = 1.6;    // a figure is drawn at most this much larger than its own pixels
  var MIN_ZOOM = 0.5;

  function leaf(section) { return section && !section.classList.contains("stack") ? section : null; }

  /* the height the slide's content needs (the section itself is always 700 px tall) */
  function contentHeight(section) {
    section.style.height = "auto";
    var needed = section.scrollHeight;
    section.style.height = "";
    return needed;
  }

  function fit(section, height) {
    section = leaf(section);
    if (!section) return;
    var children = Array.prototype.slice.call(section.children);
    children.forEach(function (c) { c.style.zoom = ""; });
    var images = Array.prototype.slice.call(section.querySelectorAll("img"));
    images.forEach(function (img) { img.style.height = ""; });
    if (images.length) {
      var imagesHeight = images.reduce(function (sum, img) { return sum + img.offsetHeight; }, 0);
      var room = height - (contentHeight(section) - imagesHeight);
      var each = Math.max(room / images.length, MIN_FIGURE);
      images.forEach(function (img) {
        var natural = img.naturalHeight || each;
        img.style.height = Math.floor(Math.min(each, natural * MAX_UPSCALE)) + "px";
      });
    }
    for (var i = 0; i < 3 && contentHeight(section) > height + 1; i++) {   // zoom changes line breaks: settle
      var current = parseFloat(children[0] && children[0].style.zoom) || 1;
      var zoom = Math.max(current * height / contentHeight(section), MIN_ZOOM);
      children.forEach(function (c) { c.style.zoom = zoom; });
    }
    section.dataset.bnZoom = (parseFloat(children[0] && children[0].style.zoom) || 1).toFixed(3);
  }

  var reveal = null;

  function fitCurrent() {
    var section = reveal.getCurrentSlide(), height = reveal.getConfig().height;
    fit(section, height);
    if (window.MathJax && window.MathJax.Hub) {
      window.MathJax.Hub.Queue(["Rerender", window.MathJax.Hub, section], function () { fit(section, height); });
    }
  }

  window.bnSlides = {
    fit: fit,
    start: function (Reveal) {
      reveal = Reveal;
      Array.prototype.forEach.call(document.querySelectorAll(".jp-RenderedMarkdown p"), function (p) {
        if (/^Course map:/.test(p.textContent.trim())) p.classList.add("bn-course-map");  // a title slide's foot
      });
      window.Reveal = Reveal;  // as when reveal.js is loaded without require.js: for the console and tests
      Reveal.on("ready", fitCurrent);
      Reveal.on("slidechanged", fitCurrent);
      document.addEventListener("toggle", function () { fitCurrent(); }, true);
      // for tests and for the curious: every slide of the deck, laid out in turn
      window.bnSlides.fitAll = function () {
        var height = Reveal.getConfig().height;
        Reveal.getSlides().forEach(function (s) { fit(s, height); });
      };
    }
  };
})();
