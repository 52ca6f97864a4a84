/* The compare view (/?compare=ID,ID…) and the catalogue picture (/?catalogue=1).
 *
 * app.js calls window.PracticeSearchViews(h) with its helpers (h.el, h.t, h.link, …)
 * and gets back the two renderers and the comparison selection (kept for the tab in
 * sessionStorage; the compare view's URL is what it shows). Statuses are told by a
 * symbol and a word (✓ met, – not met, blank: not marked), never by colour alone. */
(function () {
  "use strict";
  var MAX = 4, KEY = "practice-search.compare";

  window.PracticeSearchViews = function (h) {
    var el = h.el, t = h.t;

    // ---- the selection ----
    function selected() {
      try { return JSON.parse(sessionStorage.getItem(KEY) || "[]").slice(0, MAX); } catch (e) { return []; }
    }
    function store(ids) {
      try { sessionStorage.setItem(KEY, JSON.stringify(ids.slice(0, MAX))); } catch (e) { /* the URL still holds it */ }
      refreshTray();
    }
    function toggle(id, on) {
      var ids = selected().filter(function (x) { return x !== id; });
      if (on) {
        if (ids.length >= MAX) { h.status.textContent = t("compareFull", {n: MAX}); return false; }
        ids.push(id);
      }
      store(ids);
      h.status.textContent = t(on ? "compareAdded" : "compareRemoved", {n: ids.length});
      return true;
    }

    /* A "Compare" checkbox for a practice (on a result group or a practice view). */
    function checkbox(practice) {
      var id = "cmp-" + practice.id;
      var box = el("input", {type: "checkbox", id: id, "class": "compare-box", "data-practice": practice.id});
      box.checked = selected().indexOf(practice.id) >= 0;
      box.addEventListener("change", function () { if (!toggle(practice.id, box.checked)) box.checked = false; });
      return el("span", {"class": "compare-pick"}, [box, el("label", {"for": id}, [
        t("compare"), el("span", {"class": "sr-only", text: " " + practice.title})])]);
    }

    /* The bar under the header: what is picked, and the way to the comparison. */
    function refreshTray() {
      var tray = document.getElementById("tray"), ids = selected();
      tray.innerHTML = "";
      tray.hidden = ids.length === 0 || h.readState().compare !== null;
      if (tray.hidden) return;
      tray.appendChild(el("p", {}, [t("comparePicked", {n: ids.length}) + " "]));
      tray.appendChild(h.link(h.urlFor({compare: ids.join(",")}), t("compareOpen", {n: ids.length}), "tray-open"));
      var clear = el("button", {type: "button", "class": "tray-clear", text: t("compareClear")});
      clear.addEventListener("click", function () {
        store([]);
        document.querySelectorAll(".compare-box").forEach(function (b) { b.checked = false; });
        h.status.textContent = t("compareRemoved", {n: 0});
        var q = document.getElementById("q") || document.getElementById("view-heading");
        if (q) q.focus();
      });
      tray.appendChild(clear);
    }

    // ---- shared pieces ----
    var STATUS = {met: ["✓", "met"], not_met: ["–", "notMet"], unmarked: ["", "unmarked"]};

    function statusCell(status, practiceTitle, wordsShown) {
      var s = STATUS[status] || STATUS.unmarked;
      var cell = el("td", {"class": "st st-" + (status || "silent")});
      if (practiceTitle) cell.setAttribute("title", practiceTitle + ": " + t(s[1]));
      cell.appendChild(el("span", {"class": "mk", "aria-hidden": "true", text: s[0]}));
      // a silent cell stays blank to the eye; a screen reader still hears its status
      var shown = wordsShown && s[0];
      cell.appendChild(el("span", {"class": shown ? "word" : "sr-only", text: (shown ? " " : "") + t(s[1])}));
      return cell;
    }

    function byDimension(items) {
      var order = [], groups = {};
      items.forEach(function (c) {
        if (!groups[c.dimension]) { groups[c.dimension] = []; order.push(c.dimension); }
        groups[c.dimension].push(c);
      });
      return order.map(function (d) { return {dimension: d, items: groups[d]}; });
    }

    function legend() {
      return el("p", {"class": "legend"}, [
        el("span", {"class": "st st-met"}, [el("span", {"class": "mk", text: "✓"}), " " + t("met")]), " ",
        el("span", {"class": "st st-not_met"}, [el("span", {"class": "mk", text: "–"}), " " + t("notMet")]), " ",
        el("span", {"class": "st st-silent"}, [el("span", {"class": "mk", text: "\u00a0"}), " " + t("silent")])
      ]);
    }

    function viewTop(eyebrow, heading, intro) {
      return [el("p", {"class": "eyebrow", text: eyebrow}),
              el("h1", {id: "view-heading", tabindex: "-1", text: heading}),
              intro ? el("p", {"class": "intro", text: intro}) : null];
    }

    function failed(res) {
      h.view.appendChild(el("h1", {id: "view-heading", tabindex: "-1", text: h.problem(res)}));
    }

    // ---- compare ----
    function parseIds(value) {
      var seen = {};
      return value.split(",").map(function (s) { return s.trim(); }).filter(function (s) {
        if (!s || seen[s]) return false;
        seen[s] = true;
        return true;
      }).slice(0, MAX);
    }

    function picker(all, ids) {
      var choices = all.filter(function (p) { return ids.indexOf(p.id) < 0; })
        .sort(function (a, b) { return a.title.localeCompare(b.title); });
      var select = el("select", {id: "compare-add", name: "add"}, [el("option", {value: "", text: t("comparePick")})]
        .concat(choices.map(function (p) { return el("option", {value: p.id, text: p.title + (p.place ? " (" + p.place + ")" : "")}); })));
      var full = ids.length >= MAX;
      var button = el("button", {type: "submit", disabled: full ? "" : null, text: t("compareAdd")});
      if (full) select.setAttribute("disabled", "");
      var form = el("form", {"class": "picker"}, [
        el("label", {"for": "compare-add", text: t("compareAddLabel", {n: MAX})}),
        el("div", {"class": "row"}, [select, button])]);
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        if (!select.value) { h.status.textContent = t("comparePickFirst"); select.focus(); return; }
        h.navigate(h.urlFor({compare: ids.concat([select.value]).join(",")}));
      });
      return form;
    }

    function compareTable(practices) {
      var rows = [], marks = practices.map(function (p) {
        var m = {};
        p.checklist.forEach(function (c) { m[c.id] = c.status; if (!rows.some(function (r) { return r.id === c.id; })) rows.push(c); });
        return m;
      });
      var head = el("tr", {}, [el("th", {scope: "col", "class": "rec", text: t("recommendation")})].concat(practices.map(function (p, i) {
        var remove = el("button", {type: "button", "class": "remove"}, [t("compareRemove"), el("span", {"class": "sr-only", text: " " + p.title})]);
        remove.addEventListener("click", function () {
          var ids = practices.map(function (x) { return x.id; }).filter(function (_, j) { return j !== i; });
          h.navigate(h.urlFor({compare: ids.join(",")}));
        });
        return el("th", {scope: "col", "class": "pcol"}, [h.link(h.practiceUrl(p.id), p.title),
          p.place ? el("span", {"class": "meta", text: p.place}) : null,
          p.checklist.length ? null : el("span", {"class": "meta", text: t("noChecklistShort")}), remove]);
      })));
      var bodies = byDimension(rows).map(function (d) {
        return el("tbody", {}, [el("tr", {"class": "dim-row"}, [el("th", {scope: "colgroup", colspan: String(practices.length + 1), text: h.dim(d.dimension)})])]
          .concat(d.items.map(function (c) {
            return el("tr", {}, [el("th", {scope: "row", "class": "rec"}, [h.link(h.itemUrl(c.id), c.text)])]
              .concat(marks.map(function (m) { return statusCell(m[c.id], null, true); })));
          })));
      });
      var foot = el("tfoot", {}, [el("tr", {}, [el("th", {scope: "row", text: t("metCount")})].concat(marks.map(function (m) {
        var n = Object.keys(m).filter(function (k) { return m[k] === "met"; }).length;
        return el("td", {"class": "count", text: t("ofRows", {n: n, of: rows.length})});
      })))]);
      return el("div", {"class": "table-wrap"}, [el("table", {"class": "grid compare-grid"},
        [el("caption", {text: t("compareCaption", {n: practices.length})}), el("thead", {}, [head])].concat(bodies, [foot]))]);
    }

    function renderCompare(state, mine, opts) {
      var ids = parseIds(state.compare || "");
      store(ids);
      h.view.innerHTML = "";
      h.status.textContent = t("loadingView");
      document.title = t("compareTitle") + " — " + t("brand");
      Promise.all([h.getJSON("/practices")].concat(ids.map(function (id) {
        return h.getJSON("/practices/" + encodeURIComponent(id));
      }))).then(function (all) {
        if (mine !== h.token()) return;
        h.status.textContent = "";
        if (!all[0].ok) { failed(all[0]); return; }
        var found = [], unknown = [];
        all.slice(1).forEach(function (res, i) {
          if (res.ok) found.push(res.body);
          else if (res.status === 404) unknown.push(ids[i]);
          else unknown.push(ids[i] + " (" + h.problem(res) + ")");
        });
        var article = el("article", {"class": "detail"}, viewTop(t("compareEyebrow"), t("compareTitle"), t("compareIntro")));
        if (unknown.length) article.appendChild(el("p", {"class": "warning", text: t("compareUnknown", {ids: unknown.join(", ")})}));
        article.appendChild(picker(all[0].body, found.map(function (p) { return p.id; })));
        if (found.length < 2) article.appendChild(el("p", {"class": "empty", text: t("compareEmpty")}));
        if (found.length) {
          if (found.every(function (p) { return !p.checklist.length; })) article.appendChild(el("p", {"class": "empty", text: t("compareNoChecklist")}));
          else { article.appendChild(legend()); article.appendChild(compareTable(found)); }
        }
        if (unknown.length) store(found.map(function (p) { return p.id; }));
        h.view.appendChild(article);
        if (opts.moved) document.getElementById("view-heading").focus();
      }, function () { if (mine === h.token()) h.status.textContent = t("error"); });
    }

    // ---- the catalogue picture ----
    function heat(n, of) {
      if (!of) return "h0";
      return "h" + Math.min(4, Math.ceil((4 * n) / of));
    }

    function catalogueTable(items, practices) {
      var count = {};
      practices.forEach(function (p) { count[p.id] = 0; });
      var rows = items.map(function (c) {
        var m = {};
        c.met_by.forEach(function (p) { m[p.id] = "met"; count[p.id] += 1; });
        c.not_met_by.forEach(function (p) { m[p.id] = "not_met"; });
        c.unmarked_by.forEach(function (p) { m[p.id] = "unmarked"; });
        return {item: c, marks: m, met: c.met_by.length, notMet: c.not_met_by.length};
      });
      var cols = practices.filter(function (p) { return rows.some(function (r) { return r.marks[p.id]; }); })
        .sort(function (a, b) { return count[b.id] - count[a.id] || a.title.localeCompare(b.title); });
      rows.sort(function (a, b) { return a.met - b.met || b.notMet - a.notMet; });
      var head = el("tr", {}, [
        el("th", {scope: "col", "class": "rec", text: t("recommendation")}),
        el("th", {scope: "col", "class": "num", text: t("metShort")}),
        el("th", {scope: "col", "class": "num", text: t("notMetShort")})
      ].concat(cols.map(function (p) {
        return el("th", {scope: "col", "class": "vcol"}, [el("a", {href: h.practiceUrl(p.id), "data-nav": "", title: p.title, "class": "vlabel", text: p.title})]);
      })));
      var body = el("tbody", {}, rows.map(function (r) {
        return el("tr", {}, [
          el("th", {scope: "row", "class": "rec"}, [h.link(h.itemUrl(r.item.id), r.item.text),
            el("span", {"class": "meta", text: h.dim(r.item.dimension)})]),
          el("td", {"class": "num " + heat(r.met, cols.length), text: String(r.met)}),
          el("td", {"class": "num", text: String(r.notMet)})
        ].concat(cols.map(function (p) { return statusCell(r.marks[p.id], p.title, false); })));
      }));
      var foot = el("tfoot", {}, [el("tr", {}, [el("th", {scope: "row", colspan: "3", text: t("metPerPractice")})]
        .concat(cols.map(function (p) { return el("td", {"class": "num", text: String(count[p.id])}); })))]);
      var table = el("table", {"class": "grid catalogue-grid"}, [
        el("caption", {text: t("catalogueCaption", {items: rows.length, practices: cols.length})}),
        el("thead", {}, [head]), body, foot]);
      return {table: el("div", {"class": "table-wrap"}, [table]), cols: cols};
    }

    function renderCatalogue(state, mine, opts) {
      h.view.innerHTML = "";
      h.status.textContent = t("loadingView");
      document.title = t("catalogueTitle") + " — " + t("brand");
      Promise.all([h.getJSON("/checklist"), h.getJSON("/practices")]).then(function (res) {
        if (mine !== h.token()) return;
        h.status.textContent = "";
        var bad = res[0].ok ? (res[1].ok ? null : res[1]) : res[0];
        if (bad) { failed(bad); return; }
        var article = el("article", {"class": "detail"}, viewTop(t("catalogueEyebrow"), t("catalogueTitle"), t("catalogueIntro")));
        if (!res[0].body.length) {
          article.appendChild(el("p", {"class": "empty", text: t("catalogueEmpty")}));
        } else {
          var built = catalogueTable(res[0].body, res[1].body);
          article.appendChild(legend());
          article.appendChild(built.table);
          var rest = res[1].body.filter(function (p) { return built.cols.indexOf(p) < 0; });
          if (rest.length) {
            article.appendChild(el("section", {"aria-labelledby": "h-without"}, [
              el("h2", {id: "h-without", text: t("withoutChecklist", {n: rest.length})}),
              el("ul", {"class": "without"}, rest.map(function (p) { return el("li", {}, [h.link(h.practiceUrl(p.id), p.title)]); }))]));
          }
        }
        h.view.appendChild(article);
        if (opts.moved) document.getElementById("view-heading").focus();
      }, function () { if (mine === h.token()) h.status.textContent = t("error"); });
    }

    return {compare: renderCompare, catalogue: renderCatalogue, checkbox: checkbox,
            refreshTray: refreshTray, parseIds: parseIds};
  };
})();
