/**
 * `koa-orcid-connect/sqlite`: the SQLite store, for a host that builds it itself (`STORE_URL=sqlite:…`
 * needs no import). Needs `better-sqlite3` 12.x.
 */
export { SqliteStore, type SqliteStoreOptions } from '../store/sqlite.js';
