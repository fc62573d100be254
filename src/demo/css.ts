/** The demo's one stylesheet, served at `/demo.css` (no front-end build). */
export const DEMO_CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#222;background:#fafafa;line-height:1.45}
header{background:#fff;border-bottom:1px solid #ddd;padding:.6rem 1.2rem;display:flex;flex-wrap:wrap;gap:.6rem 1.4rem;align-items:center}
.brand{font-weight:700;color:#333;text-decoration:none}
nav a{margin-right:.8rem}
.lang,.journal{display:flex;gap:.2rem;align-items:center;font-size:.85rem}
.lang button,.journal button{border:1px solid #bbb;background:#f4f4f4;border-radius:1rem;padding:.15rem .6rem;cursor:pointer}
.lang button.on,.journal button.on{background:#a6ce39;border-color:#7fa322;color:#fff}
.act-as{margin-left:auto;display:flex;gap:.3rem;align-items:center;flex-wrap:wrap;font-size:.85rem}
.act-as button{border:1px solid #bbb;background:#f4f4f4;border-radius:1rem;padding:.15rem .6rem;cursor:pointer}
.act-as button.on{background:#a6ce39;border-color:#7fa322;color:#fff}
main{max-width:60rem;margin:1.2rem auto;padding:0 1.2rem}
footer{max-width:60rem;margin:2rem auto;padding:0 1.2rem;color:#777;font-size:.85rem}
table{border-collapse:collapse;margin:.6rem 0;width:100%}th,td{border-bottom:1px solid #e3e3e3;padding:.35rem .5rem;text-align:left;vertical-align:top}
label{display:block;margin:.5rem 0}input,textarea,select{font:inherit}input:not([type]),input[type=email],textarea{width:100%;box-sizing:border-box}
form.inline{display:inline-block;margin-right:1rem}
.callout{border:2px solid #a6ce39;background:#f6fbe9;padding:.6rem 1rem;border-radius:.4rem;margin:1rem 0}
.orcid-button{display:inline-block;background:#a6ce39;color:#fff;font-weight:600;padding:.35rem .9rem;border-radius:.3rem;text-decoration:none}
.orcid-badge{white-space:nowrap}.orcid-id-icon{vertical-align:-3px}
.status{padding:.05rem .45rem;border-radius:.6rem;background:#eee;font-size:.85rem}.status-linked{background:#dff0c0}.status-denied,.status-revoked{background:#f7d6d6}.status-invited{background:#fdf0c4}
.muted{color:#777}.warn{color:#8a5a00}.error{color:#b00020}.flash{background:#eef6ff;border:1px solid #bcd6f5;padding:.4rem .8rem;border-radius:.3rem}
.done{color:#3d7a00;font-weight:600}.mail{background:#fff;border:1px solid #ddd;border-radius:.3rem;padding:.2rem 1rem;margin:1rem 0}
.mail pre{white-space:pre-wrap;font-family:inherit}.byline{list-style:none;padding:0}.byline li{margin:.25rem 0}
.bar{height:.6rem;background:#eee;border-radius:.3rem;overflow:hidden}#bar-fill{height:100%;width:0;background:#a6ce39}
.list li{margin:.3rem 0}.crumb{font-size:.9rem;color:#777}
`;
