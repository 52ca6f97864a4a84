/* The practitioner's search page (GET /): plain JS, no framework, no build step.
 *
 * Everything a view shows follows from its URL, so a URL can be shared, reloaded,
 * and walked with back and forward:
 *   /?q=NEED&doc=ID&dimension=NAME&lang=en|it&page=N&ui=en|it   results
 *   /?practice=ID&ui=…                                           one practice
 *   /?item=ID&ui=…                                               one checklist recommendation
 *   /?compare=ID,ID…&ui=…                                        two to four practices side by side
 *   /?catalogue=1&ui=…                                           every practice × every recommendation
 * Internal links are real links; a plain click becomes history.pushState and a
 * render, popstate renders again. The words live in i18n.js. */
(function () {
  "use strict";
  var TEXT = window.PracticeSearchText, DIMS = window.PracticeSearchDimensions;
  var K = 10, MAX_PAGE = 100, STORE = "practice-search.ui";
  var FILTERS = ["doc", "dimension", "lang"];
  var DOCS = [["spring-a", "SPRING A"], ["spring-b", "SPRING B"], ["asap", "ASAP"],
              ["oss", "One-Stop-Shop"], ["regin", "REGIN"]];
  var ui = "en", token = 0, topKind = null, cache = {};
  var top = document.getElementById("top"), view = document.getElementById("view");
  var status = document.getElementById("status");

  // ---- words and elements ----
  function t(key, vars) {
    var s = TEXT[ui][key];
    Object.keys(vars || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); });
    return s;
  }
  function dim(name) { return name && DIMS[name] ? DIMS[name][ui] : name || ""; }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] === null || attrs[k] === undefined || attrs[k] === false) return;
      if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  function link(href, text, cls) { return el("a", {href: href, "data-nav": "", "class": cls, text: text}); }
  function mark(symbol) { return el("span", {"class": "mk", "aria-hidden": "true", text: symbol}); }

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

  // ---- state in the URL ----
  function readState() {
    var p = new URLSearchParams(location.search);
    var page = parseInt(p.get("page") || "1", 10);
    var state = {q: (p.get("q") || "").trim(), page: page >= 1 && page <= MAX_PAGE ? page : 1,
                 practice: p.get("practice") || "", item: p.get("item") || "", ui: p.get("ui") || "",
                 compare: p.has("compare") ? p.get("compare") : null, catalogue: p.get("catalogue") || ""};
    FILTERS.forEach(function (f) { state[f] = p.get(f) || ""; });
    return state;
  }

  function urlFor(state) {
    var p = new URLSearchParams();
    if (state.practice) p.set("practice", state.practice);
    else if (state.item) p.set("item", state.item);
    else if (typeof state.compare === "string") p.set("compare", state.compare);
    else if (state.catalogue) p.set("catalogue", "1");
    else if (state.q) {
      p.set("q", state.q);
      FILTERS.forEach(function (f) { if (state[f]) p.set(f, state[f]); });
      if (state.page > 1) p.set("page", String(state.page));
    }
    p.set("ui", ui);
    return "/?" + p.toString().replace(/%2C/g, ",");  // commas are fine in a query, and readable
  }
  function practiceUrl(id) { return urlFor({practice: id}); }
  function itemUrl(id) { return urlFor({item: id}); }
  function here() { return location.pathname + location.search; }
  function isResults(state) { return !state.practice && !state.item && typeof state.compare !== "string" && !state.catalogue && !!state.q; }

  /* A new history entry. The entry remembers the results page it was reached from and
   * how many steps back that is, so "Back to the results" can go back exactly. */
  function navigate(url, focusFrom) {
    var current = readState(), entry = history.state || {}, next = {};
    if (url === here()) { render(); return; }
    if (focusFrom) history.replaceState(Object.assign({}, entry, {focus: focusFrom}), "", here());
    var target = new URL(url, location.href);
    var goingToResults = isResults(stateFrom(target.search));
    if (!goingToResults && isResults(current)) next = {results: here(), hops: 1};
    else if (!goingToResults && entry.results) next = {results: entry.results, hops: entry.hops + 1};
    history.pushState(next, "", url);
    render({moved: true});
  }
  function stateFrom(search) {
    var p = new URLSearchParams(search);
    return {q: p.get("q") || "", practice: p.get("practice") || "", item: p.get("item") || "",
            compare: p.has("compare") ? p.get("compare") : null, catalogue: p.get("catalogue") || ""};
  }

  // ---- the API ----
  function getJSON(path) {
    if (!cache[path]) {
      cache[path] = fetch(path, {headers: {Accept: "application/json"}}).then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) delete cache[path];
          return {status: r.status, ok: r.ok, body: body, busy: r.headers.has("Retry-After")};
        }, function () { delete cache[path]; return {status: r.status, ok: false, body: null, busy: false}; });
      }, function (err) { delete cache[path]; throw err; });
    }
    return cache[path];
  }
  /* The API's errors in the interface language: the status (and, for 503, whether the
   * server asks to retry: busy, or still loading) picks the message; the server's own
   * English detail stays in its log and in the JSON body. */
  var PROBLEMS = {400: "badRequest", 404: "notFound", 405: "badRequest", 413: "tooLong",
                  422: "badRequest", 429: "busy"};
  function problem(res) {
    if (!res) return t("error");
    if (res.status === 503) return t(res.busy ? "busy" : "notReady");
    if (PROBLEMS[res.status]) return t(PROBLEMS[res.status]);
    return t(res.status >= 500 ? "serverError" : "failed", {status: res.status});
  }

  // ---- the frame: language, header, title ----
  function chooseUi(state) {
    if (state.ui && TEXT[state.ui]) return state.ui;
    var stored = null;
    try { stored = localStorage.getItem(STORE); } catch (e) { stored = null; }
    if (stored && TEXT[stored]) return stored;
    var langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || "en"];
    return String(langs[0] || "en").slice(0, 2).toLowerCase() === "it" ? "it" : "en";
  }

  function frame() {
    document.documentElement.lang = ui;
    document.getElementById("skip").textContent = t("skip");
    var brand = document.getElementById("brand");
    brand.textContent = t("brand");
    brand.setAttribute("href", urlFor({}));
    document.getElementById("ui-nav").setAttribute("aria-label", t("uiLang"));
    document.getElementById("footer-sources").textContent = t("sources");
    document.getElementById("tray").setAttribute("aria-label", t("trayLabel"));
    var catalogue = document.getElementById("catalogue-link");
    catalogue.textContent = t("catalogueLink");
    catalogue.setAttribute("href", urlFor({catalogue: "1"}));
    document.querySelectorAll("[data-ui-lang]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-ui-lang") === ui));
    });
  }

  function setUi(lang) {
    if (!TEXT[lang] || lang === ui) return;
    ui = lang;
    try { localStorage.setItem(STORE, lang); } catch (e) { /* private mode: the URL still says it */ }
    history.replaceState(history.state, "", urlFor(readState()));
    topKind = null;
    render();
  }

  // ---- the search view ----
  function searchTop() {
    if (topKind === "search:" + ui) return;
    topKind = "search:" + ui;
    top.innerHTML = "";
    var input = el("input", {type: "search", id: "q", name: "q", required: "", maxlength: "500",
                             autocomplete: "off", placeholder: t("placeholder")});
    function select(name, label, options) {
      var s = el("select", {id: "f-" + name, name: name});
      options.forEach(function (o) { s.appendChild(el("option", {value: o[0], text: o[1]})); });
      return el("span", {"class": "filter"}, [el("label", {"for": "f-" + name, text: label}), s]);
    }
    var filters = el("fieldset", {"class": "filters"}, [
      el("legend", {text: t("filters")}),
      select("doc", t("doc"), [["", t("any")]].concat(DOCS)),
      select("dimension", t("dimension"), [["", t("any")]].concat(
        Object.keys(DIMS).map(function (d) { return [d, dim(d)]; }))),
      select("lang", t("lang"), [["", t("any")], ["en", t("english")], ["it", t("italian")]])
    ]);
    var form = el("form", {role: "search", "class": "search", id: "search-form"}, [
      el("label", {"for": "q", "class": "need", text: t("label")}),
      el("div", {"class": "row"}, [input, el("button", {type: "submit", text: t("search")})]),
      filters
    ]);
    form.addEventListener("submit", function (ev) { ev.preventDefault(); submit(1); });
    filters.addEventListener("change", function () { if (input.value.trim()) submit(1); });
    top.appendChild(el("h1", {id: "view-heading", tabindex: "-1", text: t("heading")}));
    top.appendChild(el("p", {"class": "intro", text: t("intro")}));
    top.appendChild(form);
  }

  function formState() {
    var state = {q: document.getElementById("q").value.trim(), page: 1};
    FILTERS.forEach(function (f) { state[f] = document.getElementById("f-" + f).value; });
    return state;
  }
  function submit(page) {
    var state = formState();
    if (!state.q) return;
    state.page = page;
    navigate(urlFor(state));
  }

  function renderSearch(state, mine, opts) {
    searchTop();
    document.getElementById("q").value = state.q;
    FILTERS.forEach(function (f) {
      var s = document.getElementById("f-" + f);
      s.value = state[f];
      if (s.value !== state[f]) s.value = "";
    });
    document.title = state.q ? state.q + " — " + t("brand") : t("pageTitle");
    if (!state.q) { view.innerHTML = ""; status.textContent = ""; return; }
    status.textContent = t("loading");
    view.innerHTML = "";
    view.setAttribute("aria-busy", "true");
    var params = new URLSearchParams({q: state.q, k: String(K), offset: String((state.page - 1) * K),
                                      group: "practice"});
    FILTERS.forEach(function (f) { if (state[f]) params.set(f, state[f]); });
    getJSON("/search?" + params.toString()).then(function (res) {
      if (mine !== token) return;
      view.setAttribute("aria-busy", "false");
      if (!res.ok) {
        status.textContent = "";
        view.appendChild(el("p", {"class": "empty problem", role: "alert", text: problem(res)}));
        return;
      }
      showResults(state, res.body);
      var back = (history.state || {}).focus;
      if (opts.popped && back) {
        var target = view.querySelector('a[href="' + CSS.escape(back) + '"]');
        if (target) target.focus();
      }
    }, function () {
      if (mine !== token) return;
      view.setAttribute("aria-busy", "false");
      status.textContent = t("error");
    });
  }

  function passageBlock(p, withSection) {
    var where = p.question ? [dim(p.dimension), p.question] : p.section;
    return el("div", {"class": "passage"}, [
      withSection && where.length ? el("p", {"class": "where", text: where.join(" › ")}) : null,
      el("p", {"class": "text"}, [marked(p.highlight.snippet, p.highlight.spans)]),
      el("p", {"class": "source", text: t("source") + ": " +
              p.sources.map(function (s) { return s.title; }).join("; ")})
    ]);
  }

  /* One group of the API's group=practice: passages of one practice, or of one
   * document section; `passages` are the group's passages, best first. */
  function groupCard(g, n) {
    var heading, meta, section = g.passages[0].section;
    if (g.practice) {
      heading = el("h3", {}, [link(practiceUrl(g.practice.id), g.practice.title)]);
      meta = [g.practice.organisation, g.practice.place].filter(Boolean).join(" · ");
    } else {
      heading = el("h3", {text: g.title});
      meta = [g.doc.title].concat(section.slice(0, -1)).join(" › ");
    }
    var card = el("li", {"class": "group"}, [
      g.practice ? el("div", {"class": "group-head"}, [heading, views.checkbox(g.practice)]) : heading,
      meta ? el("p", {"class": "meta", text: meta}) : null, passageBlock(g.passages[0], true)]);
    var rest = g.passages.slice(1);
    if (rest.length) {
      var id = "more-" + n;
      var box = el("div", {id: id, "class": "more-passages"}, rest.map(function (p) { return passageBlock(p, true); }));
      box.hidden = true;
      var label = t(g.practice ? "more" : "moreSection", {n: rest.length});
      var button = el("button", {type: "button", "class": "more", "aria-expanded": "false",
                                 "aria-controls": id, text: label});
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", String(open));
        box.hidden = !open;
        button.textContent = open ? t("less") : label;
      });
      card.appendChild(button);
      card.appendChild(box);
    }
    return card;
  }

  function practiceList(cls, symbol, label, practices) {
    return el("div", {"class": "marks " + cls}, [
      el("p", {"class": "marks-label"}, [mark(symbol), label + " (" + practices.length + ")"]),
      practices.length
        ? el("ul", {"class": "plist"}, practices.map(function (p) {
            return el("li", {}, [mark(symbol), link(practiceUrl(p.id), p.title)]);
          }))
        : el("p", {"class": "nobody", text: t("nobody")})
    ]);
  }

  function checklistCard(c) {
    return el("li", {"class": "item"}, [
      el("h3", {}, [link(itemUrl(c.id), c.text)]),
      el("p", {"class": "meta", text: dim(c.dimension) + " › " + c.question}),
      practiceList("met", "✓", t("metBy"), c.met_by),
      practiceList("not-met", "–", t("notMetBy"), c.not_met_by),
      c.unmarked_by.length ? practiceList("unmarked", "", t("unmarkedBy"), c.unmarked_by) : null
    ]);
  }

  function pager(state, data) {
    var more = data.passages.length >= data.k || data.checklist.length >= data.k;
    if (state.page === 1 && !more) return null;
    var prev = Object.assign({}, state, {page: state.page - 1});
    var next = Object.assign({}, state, {page: state.page + 1});
    return el("nav", {"class": "pager", "aria-label": t("pager")}, [
      state.page > 1 ? link(urlFor(prev), t("previous")) : null,
      el("span", {"aria-current": "page", text: t("pageN", {page: state.page})}),
      more && state.page < MAX_PAGE ? link(urlFor(next), t("next")) : null
    ]);
  }

  function exportBar(state, data) {
    var X = window.PracticeSearchExport, origin = location.origin;
    var list = X.rows(data, {dim: dim, resultsLink: origin + urlFor(state),
                             practiceLink: function (id) { return origin + practiceUrl(id); }});
    function download(kind) {
      var headers = {};
      X.columns.forEach(function (c) { headers[c] = t("col_" + c); });
      var body = kind === "csv" ? X.csv(list, headers) : X.markdown(data, list, {
        title: t("exportTitle"), searchedAt: t("exportLink"), practiceView: t("exportPractice"),
        source: t("source"), checklist: t("checklist"), metBy: t("metBy"), notMetBy: t("notMetBy"),
        nobody: t("nobody"), resultsLink: origin + urlFor(state),
        itemLink: function (id) { return origin + itemUrl(id); }});
      var blob = new Blob([body], {type: kind === "csv" ? "text/csv;charset=utf-8" : "text/markdown;charset=utf-8"});
      var a = el("a", {href: URL.createObjectURL(blob), download: X.slug(state.q) + (state.page > 1 ? "-p" + state.page : "") + "." + (kind === "csv" ? "csv" : "md")});
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
      status.textContent = t("exported", {n: list.length});
    }
    function button(kind, label) {
      var b = el("button", {type: "button", "class": "export-" + kind, text: label});
      b.addEventListener("click", function () { download(kind); });
      return b;
    }
    return el("div", {"class": "export", role: "group", "aria-label": t("export")}, [
      el("span", {"class": "export-label", text: t("export") + ":"}), button("md", t("exportMd")), button("csv", t("exportCsv"))]);
  }

  function showResults(state, data) {
    view.innerHTML = "";
    var groups = (data.groups || []).map(function (g) {
      return {key: g.key, title: g.title, practice: g.practice, doc: g.doc,
              passages: g.passages.map(function (i) { return data.passages[i]; })};
    });
    status.textContent = t("found", {p: data.passages.length, groups: groups.length,
                                     c: data.checklist.length, page: state.page});
    if (data.low_confidence) view.appendChild(el("p", {"class": "warning", text: t("lowConfidence")}));
    if (!data.passages.length && !data.checklist.length) {
      view.appendChild(el("p", {"class": "empty", text: t(state.page > 1 ? "noMore" : "none")}));
    }
    if (groups.length) view.appendChild(exportBar(state, data));
    if (groups.length) {
      view.appendChild(el("section", {"aria-labelledby": "h-passages"}, [
        el("h2", {id: "h-passages", text: t("passages")}),
        el("ol", {"class": "groups"}, groups.map(groupCard))
      ]));
    }
    if (data.checklist.length) {
      view.appendChild(el("section", {"aria-labelledby": "h-checklist"}, [
        el("h2", {id: "h-checklist", text: t("checklist")}),
        el("ol", {"class": "items"}, data.checklist.map(checklistCard))
      ]));
    }
    var nav = pager(state, data);
    if (nav) view.appendChild(nav);
  }


  // ---- the practice and checklist-item views ----
  /* The top of a view reached by id: a way back to the results it came from (exactly
   * as many steps back as it is), or to a new search. */
  function detailTop() {
    topKind = null;
    top.innerHTML = "";
    var entry = history.state || {};
    var back = entry.results
      ? el("a", {href: entry.results, "class": "back", id: "back", text: "← " + t("back")})
      : link(urlFor({}), "← " + t("newSearch"), "back");
    if (entry.results) {
      back.addEventListener("click", function (ev) {
        if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
        ev.preventDefault();
        history.go(-entry.hops);
      });
    }
    top.appendChild(el("p", {"class": "crumb"}, [back]));
  }

  function loadDetail(path, mine, opts, show) {
    detailTop();
    view.innerHTML = "";
    status.textContent = t("loadingView");
    getJSON(path).then(function (res) {
      if (mine !== token) return;
      if (!res.ok) {
        status.textContent = "";
        view.appendChild(el("h1", {id: "view-heading", tabindex: "-1", text: problem(res)}));
      } else {
        status.textContent = "";
        show(res.body);
      }
      if (opts.moved) document.getElementById("view-heading").focus();
    }, function () {
      if (mine !== token) return;
      status.textContent = t("error");
    });
  }

  function facts(rows) {
    return el("dl", {"class": "facts"}, rows.filter(function (r) { return r[1]; }).map(function (r) {
      return el("div", {}, [el("dt", {text: r[0]}), el("dd", {}, [r[1]])]);
    }));
  }

  function answersByDimension(answers) {
    var out = [], current = null;
    answers.forEach(function (a) {
      if (!current || current.dimension !== a.dimension) {
        current = {dimension: a.dimension, groups: []};
        out.push(current);
      }
      current.groups.push(a);
    });
    return el("section", {"aria-labelledby": "h-answers"}, [el("h2", {id: "h-answers", text: t("answers")})]
      .concat(out.map(function (d) {
        return el("div", {"class": "dimension card"}, [el("h3", {text: dim(d.dimension) || t("practice")})]
          .concat(d.groups.map(function (g) {
            return el("div", {"class": "answer"}, [el("h4", {text: g.question})].concat(
              g.passages.map(function (p) { return el("p", {"class": "text", text: p.text}); })));
          })));
      })));
  }

  function passagesOf(passages) {
    return el("section", {"aria-labelledby": "h-passages-of"}, [el("h2", {id: "h-passages-of", text: t("passagesOf")})]
      .concat(passages.map(function (p) {
        return el("div", {"class": "card"}, [
          el("h3", {text: p.section.length ? p.section[p.section.length - 1] : t("passagesOf")}),
          p.section.length > 1 ? el("p", {"class": "where", text: p.section.slice(0, -1).join(" › ")}) : null,
          el("p", {"class": "text", text: p.text})
        ]);
      })));
  }

  var STATUS = {met: ["✓", "met"], not_met: ["–", "notMet"], unmarked: ["", "unmarked"]};

  function checklistTable(items) {
    var section = el("section", {"aria-labelledby": "h-practice-checklist"},
                     [el("h2", {id: "h-practice-checklist", text: t("checklistOf")})]);
    if (!items.length) { section.appendChild(el("p", {"class": "empty", text: t("noChecklist")})); return section; }
    var count = {met: 0, not_met: 0, unmarked: 0};
    items.forEach(function (c) { count[c.status] += 1; });
    var dims = [], byDim = {};
    items.forEach(function (c) {
      if (!byDim[c.dimension]) { byDim[c.dimension] = []; dims.push(c.dimension); }
      byDim[c.dimension].push(c);
    });
    var table = el("table", {"class": "grid"}, [
      el("caption", {text: t("checklistCaption", {met: count.met, notMet: count.not_met, unmarked: count.unmarked})}),
      el("thead", {}, [el("tr", {}, [el("th", {scope: "col", text: t("status")}),
                                     el("th", {scope: "col", text: t("recommendation")})])])
    ].concat(dims.map(function (d) {
      var met = byDim[d].filter(function (c) { return c.status === "met"; }).length;
      return el("tbody", {}, [el("tr", {"class": "dim-row"}, [el("th", {scope: "colgroup", colspan: "2"}, [
        dim(d), el("span", {"class": "dim-count", text: " — " + t("ofRows", {n: met, of: byDim[d].length})})])])]
        .concat(byDim[d].map(function (c) {
          var s = STATUS[c.status] || STATUS.unmarked;
          return el("tr", {"class": "status-" + c.status}, [
            el("td", {"class": "status-cell"}, [el("span", {"class": "mk", text: s[0]}), " " + t(s[1])]),
            el("td", {}, [link(itemUrl(c.id), c.text)])
          ]);
        })));
    })));
    section.appendChild(el("div", {"class": "table-wrap"}, [table]));
    return section;
  }

  /* Similar passages from other practices or documents, one line per practice or
   * section, best first. */
  function similarSection(practice, mine) {
    var list = el("div", {"class": "similar"}, [el("p", {"class": "meta", text: t("loadingView")})]);
    var section = el("section", {"aria-labelledby": "h-similar"}, [
      el("h2", {id: "h-similar", text: t("similar")}), el("p", {"class": "intro", text: t("similarIntro")}), list]);
    var seed = practice.passages[0];
    if (!seed) { list.innerHTML = ""; list.appendChild(el("p", {text: t("noSimilar")})); return section; }
    getJSON("/similar/" + encodeURIComponent(seed.id) + "?k=15").then(function (res) {
      if (mine !== token) return;
      list.innerHTML = "";
      var seen = {}, rows = [];
      (res.ok ? res.body : []).forEach(function (p) {
        if (p.practice && p.practice.id === practice.id) return;
        var key = p.practice ? p.practice.id : p.doc.id + "\u241f" + p.section.join("\u241f");
        if (seen[key]) return;
        seen[key] = true;
        var meta = p.practice ? [p.practice.organisation, p.practice.place].filter(Boolean).join(" · ")
                              : [p.doc.title].concat(p.section.slice(0, -1)).join(" › ");
        var name = p.practice ? link(practiceUrl(p.practice.id), p.practice.title)
                              : el("span", {"class": "section-name", text: p.section[p.section.length - 1] || p.doc.title});
        rows.push(el("li", {}, [name, meta ? el("span", {"class": "meta", text: " — " + meta}) : null,
                                el("p", {"class": "text", text: p.text.length > 220 ? p.text.slice(0, 217) + "…" : p.text})]));
      });
      list.appendChild(rows.length ? el("ul", {"class": "similar-list"}, rows.slice(0, 6))
                                   : el("p", {text: res.ok ? t("noSimilar") : problem(res)}));
    }, function () { if (mine === token) { list.innerHTML = ""; list.appendChild(el("p", {text: t("error")})); } });
    return section;
  }

  function renderPractice(state, mine, opts) {
    loadDetail("/practices/" + encodeURIComponent(state.practice), mine, opts, function (p) {
      document.title = p.title + " — " + t("brand");
      view.appendChild(el("article", {"class": "detail"}, [
        el("p", {"class": "eyebrow", text: t("practice")}),
        el("h1", {id: "view-heading", tabindex: "-1", text: p.title}),
        el("p", {"class": "actions"}, [views.checkbox(p), " ", link(urlFor({compare: p.id}), t("compareWith"))]),
        p.summary ? el("p", {"class": "summary", text: p.summary}) : null,
        facts([[t("organisation"), p.organisation], [t("place"), p.place],
               [t("sources"), p.sources.map(function (s) { return s.title; }).join("; ")],
               [t("topics"), p.topics.join(", ")]]),
        p.answers.length ? answersByDimension(p.answers) : passagesOf(p.passages),
        checklistTable(p.checklist),
        similarSection(p, mine)
      ]));
    });
  }

  function markedList(id, symbol, label, practices) {
    return el("section", {"aria-labelledby": id, "class": "marks card"}, [
      el("h2", {id: id}, [el("span", {"class": "mk", "aria-hidden": "true", text: symbol}), label + " (" + practices.length + ")"]),
      practices.length
        ? el("ul", {}, practices.map(function (p) {
            return el("li", {}, [mark(symbol), link(practiceUrl(p.id), p.title),
                                 [p.organisation, p.place].filter(Boolean).length
                                   ? el("span", {"class": "meta", text: " — " + [p.organisation, p.place].filter(Boolean).join(" · ")}) : null]);
          }))
        : el("p", {"class": "nobody", text: t("nobody")})
    ]);
  }

  function renderItem(state, mine, opts) {
    loadDetail("/checklist/" + encodeURIComponent(state.item), mine, opts, function (c) {
      document.title = c.text + " — " + t("brand");
      view.appendChild(el("article", {"class": "detail"}, [
        el("p", {"class": "eyebrow", text: t("item")}),
        el("h1", {id: "view-heading", tabindex: "-1", text: c.text}),
        facts([[t("dimension"), dim(c.dimension)], [t("question"), c.question]]),
        markedList("h-met", "✓", t("metBy"), c.met_by),
        markedList("h-not-met", "–", t("notMetBy"), c.not_met_by),
        markedList("h-unmarked", "", t("unmarkedBy"), c.unmarked_by)
      ]));
    });
  }

  // ---- rendering ----
  function render(opts) {
    opts = opts || {};
    var state = readState();
    ui = chooseUi(state);
    frame();
    var mine = ++token;
    if (state.practice) renderPractice(state, mine, opts);
    else if (state.item) renderItem(state, mine, opts);
    else if (state.compare !== null) { detailTop(); views.compare(state, mine, opts); }
    else if (state.catalogue) { detailTop(); views.catalogue(state, mine, opts); }
    else renderSearch(state, mine, opts);
    views.refreshTray();
  }

  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a[data-nav]");
    if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    ev.preventDefault();
    navigate(a.getAttribute("href"), a.closest("#view") ? a.getAttribute("href") : null);
  });
  document.querySelectorAll("[data-ui-lang]").forEach(function (b) {
    b.addEventListener("click", function () { setUi(b.getAttribute("data-ui-lang")); });
  });
  window.addEventListener("popstate", function () { render({popped: true}); });

  var views = window.PracticeSearchViews({
    el: el, t: t, dim: dim, link: link, urlFor: urlFor, practiceUrl: practiceUrl, itemUrl: itemUrl,
    getJSON: getJSON, problem: problem, navigate: navigate, readState: readState, view: view,
    status: status, token: function () { return token; }
  });
  ui = chooseUi(readState());
  history.replaceState(history.state, "", urlFor(readState()));
  render();
})();
