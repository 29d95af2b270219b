/* page.c — one report page: the HTML skeleton, the stylesheet, the verdicts
 * box, the navigation to every panel and the atomic write, shared by every
 * report (the boosted-trees run report, the reduction, clustering and
 * anomaly reports). The page is self-contained: inline CSS and SVG, no
 * scripts, no fonts or images to fetch, so it can be mailed, archived with
 * the run and opened offline years later. The grid of panels collapses to
 * one column at phone width. */
#include "report_internal.h"

#include <stdio.h>
#include <string.h>


static const char css[] =
    "*{box-sizing:border-box}"
    "body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "color:#1b1f24;background:#f6f7f9}"
    "header,main,footer{max-width:1400px;margin:0 auto;padding:1rem}"
    "h1{font-size:1.5rem;margin:.2rem 0}"
    "h2{font-size:1.15rem;margin:0 0 .5rem}"
    ".meta{color:#555;margin:.2rem 0 .8rem}"
    ".verdicts{background:#fff;border:1px solid #d5d9de;border-radius:6px;padding:.6rem 1rem}"
    ".verdicts ul{list-style:none;padding:0;margin:.3rem 0}"
    ".verdicts li{margin:.25rem 0}"
    ".verdicts li b{display:inline-block;min-width:3.2em;text-align:center;border-radius:4px;"
    "padding:0 .3em;margin-right:.5em;font-size:.85em;text-transform:uppercase}"
    "li.pass b{background:#d7f0dc;color:#145a24}"
    "li.warn b{background:#fde2c8;color:#8a3b00}"
    "li.info b{background:#dde7f5;color:#1d3f73}"
    "nav{margin:.6rem 0}nav a{margin-right:.8rem;color:#1d3f73}"
    "main{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:1rem}"
    ".panel{background:#fff;border:1px solid #d5d9de;border-radius:6px;padding:1rem;"
    "min-width:0}"
    ".panel.wide{grid-column:1/-1}"
    ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:.8rem}"
    "figure{margin:0}"
    "svg{width:100%;height:auto;display:block}"
    "table{border-collapse:collapse;margin:.4rem 0}"
    "th,td{border-bottom:1px solid #e3e6ea;padding:.25rem .6rem;text-align:left}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".caption{color:#444;font-size:.9rem}"
    ".note{color:#8a3b00;font-size:.9rem}"
    "pre{overflow:auto;background:#f3f4f6;padding:.6rem;font-size:.8rem;max-height:40rem}"
    "footer{color:#777;font-size:.85rem}"
    "@media (max-width:900px){main{grid-template-columns:1fr}"
    ".grid{grid-template-columns:1fr}header,main,footer{padding:.5rem}}";

typedef struct out_ctx {
    const wn__buf *parts[3];
} out_ctx;

static wn_status write_parts(void *ctx, void *file)
{
    const out_ctx *c = ctx;
    FILE *f = file;
    for (int i = 0; i < 3; i++)
        if (c->parts[i]->len && fwrite(c->parts[i]->s, 1, c->parts[i]->len, f) != c->parts[i]->len)
            return wn__fail(WN_EIO, "write failed");
    return WN_OK;
}

/* The page head, header, verdicts and navigation (before the panels). */
static void page_head(const wn__rep *r, wn__buf *h, const char *title, const char *meta,
                      const char *no_verdicts)
{
    wn__buf_puts(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<title>");
    wn__buf_escape(h, title);
    wn__buf_printf(h, "</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n<h1>", css);
    wn__buf_escape(h, title);
    wn__buf_puts(h, "</h1>\n<p class=\"meta\">");
    wn__buf_escape(h, meta ? meta : "");
    wn__buf_puts(h, "</p>\n<div class=\"verdicts\"><h2>Verdicts</h2>\n<ul>\n");
    if (r->verd.len) {
        wn__buf_puts(h, r->verd.s);
    } else {
        wn__buf_puts(h, "<li class=\"info\"><b>info</b> ");
        wn__buf_escape(h, no_verdicts ? no_verdicts : "no checks apply");
        wn__buf_puts(h, "</li>\n");
    }
    wn__buf_puts(h, "</ul>\n</div>\n<nav>");
    /* links to every panel, in page order */
    const char *s = r->body.s;
    while (s && (s = strstr(s, "<section class=\"panel")) != NULL) {
        const char *id = strstr(s, "id=\"");
        const char *h2 = strstr(s, "<h2>");
        if (!id || !h2)
            break;
        id += 4;
        const char *ide = strchr(id, '"');
        const char *h2e = strstr(h2, "</h2>");
        if (!ide || !h2e)
            break;
        wn__buf_printf(h, "<a href=\"#%.*s\">%.*s</a>", (int)(ide - id), id, (int)(h2e - (h2 + 4)),
                       h2 + 4);
        s = h2e;
    }
    wn__buf_puts(h, "</nav>\n</header>\n<main>\n");
}

wn_status wn__rep_write_page(const wn__rep *r, const char *title, const char *meta,
                             const char *no_verdicts, const char *path)
{
    wn__buf head = {0}, tail = {0};
    page_head(r, &head, title, meta, no_verdicts);
    wn__buf_printf(&tail,
                   "</main>\n<footer>Written by winnow %s. Self-contained: no scripts, "
                   "no network.</footer>\n</body>\n</html>\n",
                   wn_version());
    wn_status s;
    if (r->oom || r->body.oom || r->verd.oom || head.oom || tail.oom) {
        s = wn__oom("report text");
    } else {
        out_ctx c = {{&head, &r->body, &tail}};
        s = wn__write_atomic(path, write_parts, &c);
    }
    wn__buf_free(&head);
    wn__buf_free(&tail);
    return s;
}
