/* Export of the results the page shows, as CSV or Markdown, with sources and links.
 *
 * Pure functions over a /search answer with group=practice; app.js offers the
 * downloads. CSV follows RFC 4180 (every field quoted, quotes doubled, CRLF), is
 * written in UTF-8 with a byte-order mark so spreadsheet programs read accents right,
 * and a field starting with = + - @ (or a tab or carriage return) gets a leading
 * apostrophe so a spreadsheet never runs it as a formula. */
(function () {
  "use strict";

  /* One row per passage, in the page's order (groups by their best passage, best
   * passage first). `link` is the practice view for a passage of a practice, else the
   * results page itself. */
  function rows(data, where) {
    var out = [];
    (data.groups || []).forEach(function (g) {
      g.passages.forEach(function (position, i) {
        var p = data.passages[position];
        out.push({
          rank: data.offset + position + 1,
          group: g.title,
          first: i === 0,
          practice: p.practice ? p.practice.title : "",
          organisation: p.practice ? p.practice.organisation : "",
          place: p.practice ? p.practice.place : "",
          sources: p.sources.map(function (s) { return s.title; }).join("; "),
          section: p.section.join(" › "),
          dimension: where.dim(p.dimension),
          question: p.question || "",
          text: p.text,
          link: p.practice ? where.practiceLink(p.practice.id) : where.resultsLink
        });
      });
    });
    return out;
  }

  var COLUMNS = ["rank", "group", "practice", "organisation", "place", "sources", "section",
                 "dimension", "question", "text", "link"];

  function csvField(value) {
    var s = String(value === null || value === undefined ? "" : value);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    return '"' + s.replace(/"/g, '""') + '"';
  }

  /* `headers` maps each column to its name in the interface language. */
  function csv(list, headers) {
    var lines = [COLUMNS.map(function (c) { return csvField(headers[c]); }).join(",")];
    list.forEach(function (r) {
      lines.push(COLUMNS.map(function (c) { return csvField(r[c]); }).join(","));
    });
    return "\ufeff" + lines.join("\r\n") + "\r\n";
  }

  function mdText(s) {
    // keep a passage one paragraph, and its characters from turning into Markdown
    return String(s).replace(/\s+/g, " ").replace(/([\\`*_[\]<>#|])/g, "\\$1").trim();
  }

  /* A report: the need and its link, then each group with its passages, then the
   * checklist recommendations with who meets them. `w` holds the words to use. */
  function markdown(data, list, w) {
    var out = ["# " + w.title + ": " + mdText(data.query), "", w.searchedAt + ": <" + w.resultsLink + ">", ""];
    var current = null;
    list.forEach(function (r) {
      if (r.first) {
        current = r.group;
        out.push("## " + mdText(current), "");
        var meta = [r.organisation, r.place].filter(Boolean).map(mdText).join(" · ");
        if (meta) out.push(meta, "");
        if (r.practice) out.push(w.practiceView + ": <" + r.link + ">", "");
      }
      var where = [r.section, r.question].filter(Boolean).map(mdText).join(" › ");
      out.push("> " + mdText(r.text), ">", "> — " + w.source + ": " + mdText(r.sources) +
               (where ? " (" + where + ")" : "") + " · #" + r.rank, "");
    });
    if (data.checklist.length) {
      out.push("## " + w.checklist, "");
      data.checklist.forEach(function (c) {
        var names = function (ps) { return ps.length ? ps.map(function (p) { return mdText(p.title); }).join("; ") : w.nobody; };
        out.push("- **" + mdText(c.text) + "** <" + w.itemLink(c.id) + ">",
                 "  - ✓ " + w.metBy + ": " + names(c.met_by),
                 "  - – " + w.notMetBy + ": " + names(c.not_met_by));
      });
      out.push("");
    }
    return out.join("\n");
  }

  function slug(q) {
    var s = q.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60);
    return "practice-search-" + (s || "results");
  }

  window.PracticeSearchExport = {rows: rows, csv: csv, markdown: markdown, slug: slug, columns: COLUMNS};
})();
