"""The briefing's page (a Jinja2 template) and its style, for gatesim.report. A Python module
rather than a data file, so that every way of installing the package carries it.

CSP forbids every request the page could make (no scripts, fonts, images or styles from
anywhere but the page itself), so a briefing opened in a browser fetches nothing. Elements
of class "literal" hold text that is not a number of the data (names of intervals, sources).
"""

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'"

CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm;
        @bottom-center { content: "page " counter(page) " of " counter(pages); font-size: 8pt; color: #666; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10.5pt; color: #1a1a1a; max-width: 1100px;
       margin: 0 auto; padding: 0 12px; line-height: 1.4; }
h1 { font-size: 18pt; margin: 8px 0 2px; } h2 { font-size: 13pt; border-bottom: 1px solid #bbb; margin-top: 18px; }
.meta { color: #555; font-size: 9pt; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 6px 0; table-layout: fixed;
        overflow-wrap: anywhere; }
table.scenarios th:first-child { width: 13%; } table.provenance td { font-size: 7.5pt; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 5px; text-align: left; vertical-align: top; }
td.n { text-align: right; }
.band { color: #555; font-size: 8pt; } .delta { color: #234; font-size: 8.5pt; }
figure { margin: 10px 0 14px; page-break-inside: avoid; break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { font-size: 9pt; color: #333; margin-top: 2px; }
pre { background: #f4f4f4; padding: 6px; font-size: 8pt; white-space: pre-wrap; word-break: break-all; }
.source { font-size: 8.5pt; color: #444; }
ul.summary li { margin-bottom: 4px; }
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp|safe }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="gatesim {{ version }}">
<title>{{ title }}</title>
<style>{{ css|safe }}</style>
</head>
<body>
<h1>{{ title }}</h1>
<p class="meta literal">Written by gatesim {{ version }} on {{ generated }} for a{{ 'n' if audience == 'investor' else '' }}
{{ audience }} audience. Every number below is read from the results files listed under Provenance.</p>

<h2>Executive summary</h2>
<ul class="summary">
{% for s in summary %}<li>{{ s }}</li>
{% endfor %}</ul>

<h2>Scenarios</h2>
<p class="literal">Each cell: the median over runs{% if level_kind %}, and below it the interval of {{ level_kind }}{% endif %}{% if reference %};
then the paired difference from {{ reference }} (mean, with the {{ delta_kind }}){% endif %}.</p>
<table class="scenarios">
<thead><tr><th>scenario</th>{% for m, name, unit in metrics %}<th>{{ name }}{% if unit and unit != 'fraction' %} ({{ unit }}){% endif %}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in rows %}<tr><th>{{ row.label }}</th>{% for c in row.cells %}<td class="n">{% if c %}{{ c.level }}
{% if c.lo %}<div class="band">{{ c.lo }} to {{ c.hi }}</div>{% endif %}
{% if c.delta %}<div class="delta">&Delta; {{ c.delta }} ({{ c.delta_lo }} to {{ c.delta_hi }})</div>{% endif %}
{% else %}<span class="literal">n/a</span>{% endif %}</td>{% endfor %}</tr>
{% endfor %}</tbody>
</table>

<h2>Figures</h2>
{% for f in figures %}<figure id="{{ f.id }}" class="chart">
{{ f.svg }}
<figcaption class="literal"><b>Figure {{ loop.index }}.</b> {{ f.caption }}</figcaption>
</figure>
{% endfor %}

{% if calibration %}<h2>Calibration</h2>
<p class="literal">{{ calibration.lead }}</p>
<table class="assumptions">
<thead><tr><th>parameter</th><th>best fit</th><th>median</th><th>consistent values</th><th>prior range</th><th>share of prior</th></tr></thead>
<tbody>{% for r in calibration.rows %}<tr><td><code>{{ r.key }}</code></td><td class="n">{{ r.best }}</td><td class="n">{{ r.median }}</td>
<td class="n">{{ r.low }} to {{ r.high }}</td><td class="n">{{ r.prior }}</td><td class="n">{{ r.share }}</td></tr>
{% endfor %}</tbody>
</table>
{% for f in calibration.flags %}<p class="literal"><b>Not pinned down:</b> {{ f }}</p>
{% endfor %}
{% for f in calibration.figures %}<figure id="{{ f.id }}" class="chart">
{{ f.svg }}
<figcaption class="literal"><b>Calibration figure {{ loop.index }}.</b> {{ f.caption }}</figcaption>
</figure>
{% endfor %}{% endif %}

<h2>Assumptions that drive the results</h2>
<table class="assumptions">
<thead><tr><th>input</th><th>value</th><th>source</th></tr></thead>
<tbody>
{% for a in assumptions %}<tr><td><code>{{ a.key }}</code></td><td>{% for v in a["values"] %}{% if a["values"]|length > 1 %}{{ v.label }}: {% endif %}{{ v.value }}<br>{% endfor %}</td>
<td class="source literal">{{ a.source }}</td></tr>
{% endfor %}</tbody>
</table>
<p class="literal source">Sources are the ids of docs/sources.md; "assumption" marks a judgement to vary in a
sensitivity analysis, "derived" a value computed from cited figures, "[2nd]" a figure seen only in a secondary report.</p>

<h2>Provenance</h2>
<table class="provenance">
<thead class="literal"><tr><th>file</th><th>kind</th><th>gatesim</th><th>commit</th><th>seed</th><th>runs per scenario</th><th>written</th><th>scenario SHA-256, first twelve hex digits</th></tr></thead>
<tbody>
{% for p in provenance %}<tr><td><code>{{ p.file }}</code></td><td>{{ p.type }}</td><td>{{ p.version }}</td><td>{{ p.commit }}</td>
<td>{{ p.seed }}</td><td>{{ p.replicates }}</td><td>{{ p.start_time }}</td>
<td>{% for label, d in p.digests %}{{ label }}: {{ d }}<br>{% endfor %}</td></tr>
{% endfor %}</tbody>
</table>

<h2>Reproduce this</h2>
<pre class="reproduce">{% for c in commands %}{{ c }}
{% endfor %}</pre>
</body>
</html>
"""
