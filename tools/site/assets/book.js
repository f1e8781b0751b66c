/* The book's shell: search, copy buttons, the contents sidebar on small screens, a cue on every box that
   scrolls sideways, and figures that open full width. Plain script, no network, works from file://.
   The search index is window.BOOK_SEARCH (_static/search-index.js, built by tools/site/shell.py). */
(function () {
  "use strict";

  var WIDE_ONPAGE = 1280;   // px: "On this page" is a column from here up, a folded box below
  var MAX_RESULTS = 12;

  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  /* -- search ------------------------------------------------------------------------------------- */
  function terms(query) {
    return query.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 1; });
  }

  function score(entry, words) {
    var section = entry.section.toLowerCase(), text = entry.text.toLowerCase(), total = 0;
    for (var i = 0; i < words.length; i++) {
      var inSection = section.indexOf(words[i]) >= 0, inText = text.indexOf(words[i]) >= 0;
      if (!inSection && !inText) return 0;      // every word must appear
      total += (inSection ? 5 : 0) + (inText ? 1 : 0);
    }
    return total;
  }

  function snippet(text, word) {
    var at = Math.max(0, text.toLowerCase().indexOf(word) - 60);
    return (at > 0 ? "\u2026" : "") + text.slice(at, at + 160) + (at + 160 < text.length ? "\u2026" : "");
  }

  function setUpSearch() {
    var input = document.querySelector(".book-search-input");
    var box = document.querySelector(".book-search-results");
    var index = window.BOOK_SEARCH || [];
    if (!input || !box) return;
    function show() {
      var words = terms(input.value);
      box.innerHTML = "";
      if (!words.length) { box.hidden = true; return; }
      var hits = index.map(function (e) { return {e: e, s: score(e, words)}; })
        .filter(function (h) { return h.s > 0; })
        .sort(function (a, b) { return b.s - a.s; })
        .slice(0, MAX_RESULTS);
      if (!hits.length) {
        var none = document.createElement("p");
        none.className = "book-search-none";
        none.textContent = "Nothing found for \u201c" + input.value.trim() + "\u201d.";
        box.appendChild(none);
      }
      hits.forEach(function (h) {
        var a = document.createElement("a");
        a.className = "book-search-hit";
        a.setAttribute("role", "option");
        a.href = h.e.page + "#" + encodeURIComponent(h.e.id);
        var where = document.createElement("span");
        where.className = "book-search-where";
        where.textContent = h.e.chapter;
        var title = document.createElement("span");
        title.className = "book-search-section";
        title.textContent = h.e.section;
        var text = document.createElement("span");
        text.className = "book-search-text";
        text.textContent = snippet(h.e.text, words[0]);
        a.appendChild(where); a.appendChild(title); a.appendChild(text);
        box.appendChild(a);
      });
      box.hidden = false;
    }
    input.addEventListener("input", show);
    input.addEventListener("focus", show);
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { input.value = ""; show(); input.blur(); }
      if (ev.key === "Enter") { var first = box.querySelector("a"); if (first) window.location.href = first.href; }
    });
    document.addEventListener("click", function (ev) {
      if (!ev.target.closest(".book-search")) box.hidden = true;
    });
    document.addEventListener("keydown", function (ev) {  // "/" focuses the search, as on most doc sites
      if (ev.key === "/" && document.activeElement !== input && !/INPUT|TEXTAREA/.test(document.activeElement.tagName)) {
        ev.preventDefault(); input.focus();
      }
    });
  }

  /* -- copy buttons ---------------------------------------------------------------------------------- */
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text; area.setAttribute("readonly", ""); area.style.position = "fixed"; area.style.opacity = "0";
      document.body.appendChild(area); area.select();
      try { document.execCommand("copy") ? resolve() : reject(new Error("copy refused")); }
      finally { document.body.removeChild(area); }
    });
  }

  /* the button sits on a box that does not scroll, so it stays in the corner when the code scrolls */
  function holderFor(block) {
    if (block.classList.contains("book-exercise-code")) return block;
    if (block.classList.contains("jp-InputArea-editor")) return block.parentElement;
    var wrap = document.createElement("div");
    wrap.className = "book-code-wrap";
    block.parentElement.insertBefore(wrap, block);
    wrap.appendChild(block);
    return wrap;
  }

  function setUpCopyButtons() {
    var blocks = $all(".jp-CodeCell .jp-InputArea-editor, .book-exercise-code, .book-solution .highlight, " +
                      ".jp-RenderedMarkdown pre");
    blocks.forEach(function (block) {
      var pre = block.tagName === "PRE" ? block : block.querySelector("pre");
      if (!pre) return;
      var holder = holderFor(block);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "book-copy";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy this code");
      button.addEventListener("click", function () {
        copyText(pre.innerText.replace(/\n$/, "")).then(function () {
          button.textContent = "Copied \u2713"; button.classList.add("book-copied");
        }, function () { button.textContent = "Select and copy"; });
        setTimeout(function () { button.textContent = "Copy"; button.classList.remove("book-copied"); }, 1800);
      });
      holder.classList.add("book-has-copy");
      holder.insertBefore(button, holder.firstChild);
    });
  }

  /* -- a cue on every box that scrolls sideways ---------------------------------------------------- */
  var SCROLLERS = ".jp-InputArea-editor, .jp-OutputArea-output pre, .jp-RenderedMarkdown pre, " +
                  ".book-exercise-code .highlight, .book-solution .highlight, .book-table-scroll, " +
                  ".jp-OutputArea-output.jp-RenderedHTMLCommon, .book-widget";

  function markScrollers() {
    $all(SCROLLERS).forEach(function (el) {
      var scrolls = el.scrollWidth > el.clientWidth + 1;
      el.classList.toggle("book-scrolls", scrolls);   // edge shadows and a scrollbar that is always there
      // and a "scroll" label (on the box that stays put), where it has room: 3 lines or more
      var roomy = el.clientHeight >= 3 * (parseFloat(getComputedStyle(el).lineHeight) || 18);
      el.parentElement.classList.toggle("book-scroll-hint", scrolls && roomy);
      atEnd(el);
    });
  }

  function atEnd(el) {
    var end = el.classList.contains("book-scrolls") && el.scrollLeft + el.clientWidth >= el.scrollWidth - 1;
    el.parentElement.classList.toggle("book-hint-end", end);
  }

  function setUpScrollCues() {
    $all(".jp-RenderedMarkdown table").forEach(function (table) {   // wide prose tables scroll, not squeeze
      if (table.parentElement.classList.contains("book-table-scroll")) return;
      var wrap = document.createElement("div");
      wrap.className = "book-table-scroll";
      table.parentElement.insertBefore(wrap, table);
      wrap.appendChild(table);
    });
    markScrollers();
    document.addEventListener("scroll", function (ev) {
      var el = ev.target;
      if (el.classList && el.classList.contains("book-scrolls")) atEnd(el);
    }, true);
    var pending = null;
    window.addEventListener("resize", function () { clearTimeout(pending); pending = setTimeout(markScrollers, 100); });
    // MathJax and the widget renderer change widths after load
    window.addEventListener("load", function () { setTimeout(markScrollers, 0); setTimeout(markScrollers, 1500); });
    document.addEventListener("book:math", markScrollers);  // book_mathjax.j2 sends it once formulas are typeset
  }

  /* -- figures open full width ----------------------------------------------------------------------- */
  function setUpFigures() {
    var overlay = null;
    function close() { if (overlay) { overlay.remove(); overlay = null; document.body.classList.remove("book-lightbox-open"); } }
    $all(".jp-RenderedImage img, .jp-RenderedMarkdown img, .book-figure img").forEach(function (img) {
      img.classList.add("book-zoomable");
      img.setAttribute("tabindex", "0");
      img.setAttribute("title", "Show full width");
      function open() {
        close();
        overlay = document.createElement("div");
        overlay.className = "book-lightbox";
        overlay.setAttribute("role", "dialog");
        overlay.setAttribute("aria-label", "Figure, full width (tap or Esc to close)");
        var big = img.cloneNode();
        big.className = "book-lightbox-img";
        big.removeAttribute("width"); big.removeAttribute("height"); big.removeAttribute("tabindex");
        // as wide as the picture's own pixels allow, and never narrower than the screen
        big.style.width = Math.max(img.naturalWidth, window.innerWidth - 16) + "px";
        var hint = document.createElement("p");
        hint.className = "book-lightbox-hint";
        hint.textContent = "Scroll to pan \u00b7 tap or Esc to close";
        overlay.appendChild(hint);
        overlay.appendChild(big);
        overlay.addEventListener("click", close);
        document.body.appendChild(overlay);
        document.body.classList.add("book-lightbox-open");
      }
      img.addEventListener("click", open);
      img.addEventListener("keydown", function (ev) { if (ev.key === "Enter") open(); });
    });
    document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") close(); });
  }

  /* -- the sidebar and "On this page" on small screens ------------------------------------------------ */
  function setUpNavigation() {
    var button = document.querySelector(".book-menu");
    var sidebar = document.getElementById("book-sidebar");
    if (button && sidebar) {
      button.addEventListener("click", function () {
        var open = document.body.classList.toggle("book-menu-open");
        button.setAttribute("aria-expanded", open ? "true" : "false");
      });
      sidebar.addEventListener("click", function (ev) {
        if (ev.target.closest("a")) document.body.classList.remove("book-menu-open");
      });
    } else if (button) {
      button.hidden = true;
    }
    var onpage = document.querySelector(".book-onpage");
    if (onpage && window.innerWidth < WIDE_ONPAGE) onpage.open = false;
  }

  function start() {
    document.documentElement.classList.add("book-js");
    setUpNavigation();
    setUpSearch();
    setUpCopyButtons();
    setUpFigures();
    setUpScrollCues();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
