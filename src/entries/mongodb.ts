/**
 * `koa-orcid-connect/mongodb`: the MongoDB store (a replica set), for a host that builds it itself
 * (`STORE_URL=mongodb://…` needs no import). Needs `mongoose`.
 */
export { MongoStore, type MongoStoreOptions } from '../store/mongo.js';
