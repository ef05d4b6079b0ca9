/**
 * The dashboard page: one HTML document with its script inline, no build step and no CDN; the
 * charts are uPlot, served by the gateway from the installed package. It reads
 * /dashboard/events (SSE, one snapshot a second) and keeps the last 5 minutes for the charts.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>outlast dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/dashboard/uplot.css"><link rel="icon" href="data:,">
<style>
body{font:14px system-ui,sans-serif;background:#0f1115;color:#e6e6e6;margin:0;padding:1rem 1.5rem}
h1{font-size:1.3rem;margin:.2rem 0 1rem}h2{font-size:1.05rem;margin:1.4rem 0 .6rem}
.muted{color:#9aa3b2}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:1rem}
.card{background:#181b22;border:2px solid #2a2f3a;border-radius:8px;padding:.8rem 1rem}
.card.open{border-color:#ff4d4f;background:#2a1215}.card.half_open{border-color:#faad14;background:#2b2111}.card.cooling{border-color:#faad14}
.state{font-weight:700;text-transform:uppercase;padding:.1rem .5rem;border-radius:4px;font-size:.8rem}
.state.closed{background:#1f3d2a;color:#73d13d}.state.open{background:#ff4d4f;color:#fff}.state.half_open{background:#faad14;color:#000}
.doing{margin:.5rem 0;font-weight:600}.doing.bad{color:#ff7875}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.15rem .4rem;border-bottom:1px solid #2a2f3a;font-size:.85rem}
.kv{display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;margin:.4rem 0}.kv span b{color:#fff}
details{background:#181b22;border-radius:6px;margin:.3rem 0;padding:.3rem .6rem}summary{cursor:pointer}
.err{color:#ff7875}.ok{color:#73d13d}.charts{display:flex;gap:.5rem;flex-wrap:wrap}
</style></head><body>
<h1>outlast <span class="muted" id="meta">connecting…</span></h1>
<div id="routes" class="muted"></div>
<h2>Targets</h2><div id="targets" class="grid"></div>
<h2>Recent failed or recovered calls</h2><div id="recent" class="muted">none yet</div>
<script src="/dashboard/uplot.js"></script>
<script>
(function () {
  var HISTORY = 300; // one snapshot a second: five minutes
  var history = {};
  var charts = {};
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); }
  function ms(v) { return v === undefined || v === null ? '–' : v < 1000 ? Math.round(v) + ' ms' : (v / 1000).toFixed(1) + ' s'; }
  function pct(v) { return v === undefined || v === null ? '–' : (v * 100).toFixed(1) + '%'; }
  function usd(v) { return '$' + (v || 0).toFixed(v >= 1 ? 2 : 5); }
  function card(t) {
    var el = document.getElementById('t-' + t.id);
    if (!el) {
      el = document.createElement('div');
      el.id = 't-' + t.id;
      el.innerHTML = '<div class="head"></div><div class="doing"></div><div class="kv"></div><div class="charts"><div class="c-ttft"></div><div class="c-dur"></div></div><div class="mix muted"></div>';
      document.getElementById('targets').appendChild(el);
    }
    return el;
  }
  function chart(key, el, title, series) {
    var id = key + title;
    if (!charts[id]) {
      charts[id] = new uPlot({
        title: title, width: 200, height: 110, legend: { show: false },
        scales: { x: { time: true } }, axes: [{ show: false }, { stroke: '#9aa3b2', size: 40 }],
        series: [{}, { label: 'p50', stroke: '#73d13d' }, { label: 'p95', stroke: '#faad14' }, { label: 'p99', stroke: '#ff4d4f' }],
      }, series, el);
    } else charts[id].setData(series);
  }
  function render(snap) {
    document.getElementById('meta').textContent = 'up since ' + new Date(snap.startedAt).toLocaleTimeString() + ' · ' + snap.inFlight + ' in flight · updated ' + new Date(snap.at).toLocaleTimeString();
    document.getElementById('routes').innerHTML = snap.routes.map(function (r) { return '<b>' + esc(r.id) + '</b>: ' + r.targets.map(esc).join(' → '); }).join(' &nbsp; ');
    snap.targets.forEach(function (t) {
      var el = card(t);
      var cls = t.breaker !== 'closed' ? t.breaker : t.cooldownUntil ? 'cooling' : '';
      el.className = 'card ' + cls;
      el.dataset.breaker = t.breaker;
      el.querySelector('.head').innerHTML = '<b>' + esc(t.key) + '</b> <span class="state ' + t.breaker + '">' + t.breaker.replace('_', '-') + '</span>' +
        (t.cooldownUntil ? ' <span class="state half_open">cooling until ' + new Date(t.cooldownUntil).toLocaleTimeString() + '</span>' : '');
      var doing = el.querySelector('.doing');
      doing.textContent = t.doing;
      doing.className = 'doing' + (t.breaker !== 'closed' || t.cooldownUntil ? ' bad' : '');
      el.querySelector('.kv').innerHTML = [
        ['success', pct(t.successRate)], ['attempts', t.attempts], ['retries', t.retries], ['fallbacks away', t.fallbacksFrom],
        ['continuations', t.continuations], ['TTFT p50/p95/p99', ms(t.ttftMs.p50) + ' / ' + ms(t.ttftMs.p95) + ' / ' + ms(t.ttftMs.p99)],
        ['tokens in/out', t.tokens.input + ' / ' + t.tokens.output], ['wasted', t.tokens.wasted], ['cost', usd(t.cost.answer + t.cost.wasted) + ' (wasted ' + usd(t.cost.wasted) + ')'],
      ].map(function (kv) { return '<span>' + kv[0] + ' <b>' + esc(kv[1]) + '</b></span>'; }).join('');
      var kinds = Object.keys(t.errors);
      el.querySelector('.mix').innerHTML = kinds.length ? 'errors: ' + kinds.map(function (k) { return '<span class="err">' + esc(k) + ' ' + t.errors[k] + '</span>'; }).join(', ') : 'no errors';
      var h = history[t.key] || (history[t.key] = { x: [], t50: [], t95: [], t99: [], d50: [], d95: [], d99: [] });
      h.x.push(snap.at / 1000); h.t50.push(t.ttftMs.p50 ?? null); h.t95.push(t.ttftMs.p95 ?? null); h.t99.push(t.ttftMs.p99 ?? null);
      h.d50.push(t.durationMs.p50 ?? null); h.d95.push(t.durationMs.p95 ?? null); h.d99.push(t.durationMs.p99 ?? null);
      Object.keys(h).forEach(function (k) { if (h[k].length > HISTORY) h[k].shift(); });
      chart(t.key, el.querySelector('.c-ttft'), 'TTFT ms', [h.x, h.t50, h.t95, h.t99]);
      chart(t.key, el.querySelector('.c-dur'), 'duration ms', [h.x, h.d50, h.d95, h.d99]);
    });
    var recent = document.getElementById('recent');
    if (snap.recent.length) {
      recent.className = '';
      recent.innerHTML = snap.recent.map(function (c) {
        return '<details><summary><span class="' + (c.outcome === 'error' ? 'err' : 'ok') + '">' + (c.outcome === 'error' ? 'failed' : 'recovered') + '</span> ' +
          new Date(c.at).toLocaleTimeString() + ' · ' + esc(c.requestId) + ' · ' + (c.answeredBy ? 'answered by ' + esc(c.answeredBy) : 'no answer') + ' · ' + c.attempts.length + ' attempts · ' + ms(c.durationMs) + '</summary>' +
          '<table><tr><th>#</th><th>target</th><th>outcome</th><th>status</th><th>waited</th><th>took</th></tr>' +
          c.attempts.map(function (a, i) { return '<tr><td>' + (i + 1) + (a.continuation ? ' (cont.)' : '') + '</td><td>' + esc(a.target) + '</td><td class="' + (a.outcome === 'success' ? 'ok' : 'err') + '">' + esc(a.errorKind || a.outcome) + '</td><td>' + (a.status || '') + '</td><td>' + ms(a.waitedMs) + '</td><td>' + ms(a.durationMs) + '</td></tr>'; }).join('') +
          '</table></details>';
      }).join('');
    }
  }
  var source = new EventSource('/dashboard/events');
  source.onmessage = function (e) { render(JSON.parse(e.data)); };
  source.onerror = function () { document.getElementById('meta').textContent = 'disconnected; retrying…'; };
})();
</script></body></html>`;
