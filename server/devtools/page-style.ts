/** The inspector page's styles (inline: the page needs no asset route of its own). */
export const PAGE_CSS = `
body{margin:0;font:13px/1.4 system-ui,sans-serif;color:#1d2330;background:#f6f7f9}
.hdt-header{padding:12px 20px;background:#1d2330;color:#fff}.hdt-header h1{margin:0;font-size:18px}
.hdt-header .hdt-muted{color:#b8c0cc;margin:2px 0 0}
.hdt-main{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:16px;padding:16px 20px}
@media (max-width:1200px){.hdt-main{grid-template-columns:1fr}}
section,.hdt-timeline{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:8px 12px;margin-bottom:12px;overflow:auto}
h2{font-size:14px;margin:4px 0 8px}.hdt-count{color:#5b6475;font-weight:normal}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:3px 6px;border-bottom:1px solid #eef0f3;white-space:nowrap}
th{color:#5b6475;font-weight:600}code{font:12px ui-monospace,monospace}
.hdt-muted{color:#5b6475}.hdt-error{color:#a11;font-weight:600}.hdt-dropped{color:#a60;font-weight:normal;font-size:12px}
tr.selected{background:#eef4ff}.hdt-json{background:#f6f7f9;padding:8px;max-height:420px;overflow:auto;font:12px ui-monospace,monospace}
button{font:inherit;padding:1px 8px;border:1px solid #c3c9d3;border-radius:4px;background:#fff;cursor:pointer}
tr.kind-event td:nth-child(3){color:#0a58ca}tr.kind-render td:nth-child(3){color:#2b7a0b}tr.kind-publish td:nth-child(3){color:#8a3ffc}
tr.failed{background:#fff1f1}
`;
