/**
 * `koa-orcid-connect/postgres`: the PostgreSQL store, for a host that builds it itself
 * (`STORE_URL=postgres://…` needs no import). Needs `pg` 8.x.
 */
export { PostgresStore } from '../store/postgres.js';
export type { PostgresStoreOptions } from '../store/postgres/handle.js';
