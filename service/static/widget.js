/* practice-search widget: a search box for any page, no framework needed.
 *   <div data-practice-search data-endpoint="https://host/"></div>
 *   <script src="https://host/widget.js"></script>
 * Optional attributes: data-lang="en|it", data-k="5", data-mode="page" (adds filters).
 * Everything renders inside a shadow root, so no style leaks either way. */
(function () {
  "use strict";
  var T = {
    en: {label: "What do you need?", placeholder: "e.g. language barrier in healthcare",
         search: "Search", passages: "Passages", checklist: "Checklist recommendations",
         metBy: "Met by", notMetBy: "Not met by", more: "More results", none: "No results.",
         found: "{p} passages and {c} recommendations", loading: "Searching…",
         type: "Results", all: "All", onlyPassages: "Passages", onlyChecklist: "Recommendations",
         doc: "Document", dimension: "Dimension", lang: "Language", any: "Any",
         error: "The search service could not be reached.", source: "Source"},
    it: {label: "Di cosa hai bisogno?", placeholder: "es. barriere linguistiche nella sanità",
         search: "Cerca", passages: "Passaggi", checklist: "Raccomandazioni della checklist",
         metBy: "Soddisfatta da", notMetBy: "Non soddisfatta da", more: "Altri risultati",
         none: "Nessun risultato.", found: "{p} passaggi e {c} raccomandazioni",
         loading: "Ricerca in corso…", type: "Risultati", all: "Tutti",
         onlyPassages: "Passaggi", onlyChecklist: "Raccomandazioni", doc: "Documento",
         dimension: "Dimensione", lang: "Lingua", any: "Qualsiasi",
         error: "Il servizio di ricerca non è raggiungibile.", source: "Fonte"}
  };
  var DIMENSIONS = ["Inclusivity & Participation", "Relevance & Complementarity",
                    "Effectiveness", "Sustainability", "Partnership & Collaboration"];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function marked(snippet, spans) {
    var frag = document.createDocumentFragment(), last = 0;
    (spans || []).forEach(function (s) {
      frag.appendChild(document.createTextNode(snippet.slice(last, s[0])));
      frag.appendChild(el("mark", {text: snippet.slice(s[0], s[1])}));
      last = s[1];
    });
    frag.appendChild(document.createTextNode(snippet.slice(last)));
    return frag;
  }

  function names(list) { return list.map(function (p) { return p.title; }).join(", ") || "—"; }

  function Widget(host) {
    var endpoint = host.getAttribute("data-endpoint") || "/";
    if (endpoint.slice(-1) !== "/") endpoint += "/";
    var nav = (navigator.language || "en").slice(0, 2);
    var asked = host.getAttribute("data-lang") || nav;
    this.lang = T[asked] ? asked : "en";
    this.k = parseInt(host.getAttribute("data-k") || "5", 10);
    this.page = host.getAttribute("data-mode") === "page";
    this.endpoint = endpoint;
    this.root = host.attachShadow({mode: "open"});
    this.offset = 0;
    this.render();
  }

  Widget.prototype.t = function (key) { return T[this.lang][key]; };

  Widget.prototype.render = function () {
    var self = this, root = this.root, id = "ps-" + Math.random().toString(36).slice(2);
    root.innerHTML = "";
    root.appendChild(el("link", {rel: "stylesheet", href: this.endpoint + "static/widget.css"}));
    var input = el("input", {type: "search", id: id, name: "q", required: "",
                             placeholder: this.t("placeholder"), autocomplete: "off",
                             maxlength: "500"});
    var form = el("form", {role: "search", "class": "ps-form"}, [
      el("label", {"for": id, text: this.t("label")}),
      el("div", {"class": "ps-row"}, [input, el("button", {type: "submit", text: this.t("search")})])
    ]);
    if (this.page) form.appendChild(this.filters());
    this.status = el("p", {"class": "ps-status", role: "status", "aria-live": "polite"});
    this.results = el("div", {"class": "ps-results"});
    this.moreButton = el("button", {type: "button", "class": "ps-more", text: this.t("more")});
    this.moreButton.hidden = true;
    this.moreButton.addEventListener("click", function () { self.search(true); });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); self.search(false); });
    this.input = input;
    root.appendChild(el("div", {"class": "ps-widget", lang: this.lang},
                        [form, this.status, this.results, this.moreButton]));
  };

  Widget.prototype.filters = function () {
    var self = this;
    function select(name, label, options) {
      var sid = "ps-f-" + name;
      var s = el("select", {id: sid, name: name});
      options.forEach(function (o) { s.appendChild(el("option", {value: o[0], text: o[1]})); });
      return el("span", {"class": "ps-filter"}, [el("label", {"for": sid, text: label}), s]);
    }
    var box = el("fieldset", {"class": "ps-filters"}, [
      select("type", this.t("type"), [["all", this.t("all")], ["passage", this.t("onlyPassages")],
                                      ["checklist", this.t("onlyChecklist")]]),
      select("doc", this.t("doc"), [["", this.t("any")], ["spring-a", "SPRING A"],
             ["spring-b", "SPRING B"], ["asap", "ASAP"], ["oss", "One-Stop-Shop"],
             ["regin", "REGIN"]]),
      select("dimension", this.t("dimension"),
             [["", this.t("any")]].concat(DIMENSIONS.map(function (d) { return [d, d]; }))),
      select("lang", this.t("lang"), [["", this.t("any")], ["en", "English"], ["it", "Italiano"]])
    ]);
    box.addEventListener("change", function () { if (self.input.value.trim()) self.search(false); });
    this.filterBox = box;
    return box;
  };

  Widget.prototype.search = function (more) {
    var self = this, q = this.input.value.trim();
    if (!q) return;
    this.offset = more ? this.offset + this.k : 0;
    var params = new URLSearchParams({q: q, k: String(this.k), offset: String(this.offset)});
    if (this.filterBox) {
      this.filterBox.querySelectorAll("select").forEach(function (s) {
        if (s.value) params.set(s.name, s.value);
      });
    }
    this.status.textContent = this.t("loading");
    fetch(this.endpoint + "search?" + params.toString(), {headers: {Accept: "application/json"}})
      .then(function (r) {
        return r.json().then(function (body) { return {ok: r.ok, body: body}; });
      })
      .then(function (res) {
        if (!res.ok) throw new Error(res.body.error ? res.body.error.message : "error");
        self.show(res.body, more);
      })
      .catch(function (err) {
        self.status.textContent = err.message && err.message !== "Failed to fetch"
          ? err.message : self.t("error");
        self.status.className = "ps-status ps-error";
      });
  };

  Widget.prototype.show = function (data, more) {
    var t = this.t.bind(this);
    if (!more) this.results.innerHTML = "";
    this.status.className = "ps-status";
    this.status.textContent = t("found").replace("{p}", data.passages.length)
                                        .replace("{c}", data.checklist.length);
    if (data.low_confidence && data.message && !more) {
      this.results.appendChild(el("p", {"class": "ps-warning", text: data.message}));
    }
    if (data.passages.length) {
      var list = el("ol", {"class": "ps-list", start: String(data.offset + 1)});
      data.passages.forEach(function (p) {
        var practice = p.practice, meta = [];
        if (practice) meta = [practice.organisation, practice.place].filter(Boolean);
        var title = practice ? practice.title : p.doc.title;
        var quote = el("p", {"class": "ps-text"});
        quote.appendChild(marked(p.highlight.snippet, p.highlight.spans));
        list.appendChild(el("li", {"class": "ps-card"}, [
          el("h3", {text: title}),
          meta.length ? el("p", {"class": "ps-meta", text: meta.join(" · ")}) : null,
          el("p", {"class": "ps-section", text: p.section.join(" › ")}),
          quote,
          el("p", {"class": "ps-source", text: t("source") + ": " +
                   p.sources.map(function (s) { return s.title; }).join("; ")})
        ]));
      });
      this.results.appendChild(el("h2", {text: t("passages")}));
      this.results.appendChild(list);
    }
    if (data.checklist.length) {
      var items = el("ol", {"class": "ps-list", start: String(data.offset + 1)});
      data.checklist.forEach(function (c) {
        items.appendChild(el("li", {"class": "ps-card ps-item"}, [
          el("h3", {text: c.text}),
          el("p", {"class": "ps-section", text: c.dimension + " › " + c.question}),
          el("p", {"class": "ps-met", text: "✓ " + t("metBy") + ": " + names(c.met_by)}),
          el("p", {"class": "ps-notmet", text: "✗ " + t("notMetBy") + ": " + names(c.not_met_by)})
        ]));
      });
      this.results.appendChild(el("h2", {text: t("checklist")}));
      this.results.appendChild(items);
    }
    if (!data.passages.length && !data.checklist.length && !more) {
      this.results.appendChild(el("p", {text: t("none")}));
    }
    this.moreButton.hidden = data.passages.length < data.k && data.checklist.length < data.k;
  };

  Widget.prototype.setLang = function (lang) {
    this.lang = T[lang] ? lang : "en";
    var q = this.input ? this.input.value : "";
    this.render();
    this.input.value = q;
  };

  function mount() {
    document.querySelectorAll("[data-practice-search]").forEach(function (host) {
      if (!host.practiceSearch) host.practiceSearch = new Widget(host);
    });
  }
  window.PracticeSearch = {mount: mount};
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})();
