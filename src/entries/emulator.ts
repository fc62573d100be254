/**
 * `koa-orcid-connect/emulator`: the ORCID emulator, a local server that behaves like ORCID's sandbox
 * (docs/emulator.md). Needs `xmllint-wasm` when it validates XML (`validateXml`, on by default).
 */
export * from '../emulator/index.js';
