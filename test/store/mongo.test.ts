import { expect } from 'chai';
import { MongoStore, redactMongoUri } from '../../src/store/mongo.js';
import { StorageError } from '../../src/errors.js';
import { storeContract } from './contract.js';
import { rateBudgetContract } from './contract-rate-budget.js';
import { mongoTestDatabase } from './mongo-test-database.js';

// The contract runs against a real replica set when MONGODB_URI names one (transactions need it);
// elsewhere mocha lists it as pending. mongodb-memory-server cannot download its binary here.
const uri = process.env.MONGODB_URI;

if (uri) {
  // One database for the run, emptied before each test (the contract expects an empty store).
  const { testUri, dropDatabase } = mongoTestDatabase(uri, `orcid_contract_${process.pid}`);
  after(dropDatabase);
  storeContract('MongoDB', async () => {
    await dropDatabase();
    const store = new MongoStore({ uri: testUri, serverSelectionTimeoutMs: 5000 });
    await store.init();
    return store;
  });
  // Two connections on one database, as two processes have them.
  rateBudgetContract('MongoDB (two connections)', async () => {
    const [a, b] = [new MongoStore({ uri: testUri, serverSelectionTimeoutMs: 5000 }), new MongoStore({ uri: testUri, serverSelectionTimeoutMs: 5000 })];
    await a.init();
    await b.init();
    return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
  });
} else {
  // Said plainly in the output, not only as a pending test: these suites did not run.
  process.stdout.write('MongoDB contract suites (Ledger, Directory, Sources, RateBudget, concurrency included) SKIPPED: set MONGODB_URI to a replica set to run them\n');
  describe.skip('Ledger, Directory and Sources contracts: MongoDB (set MONGODB_URI to a replica set to run them)', () => {
    it('passes the three port contracts', () => undefined);
  });
}

describe('MongoStore without a server', () => {
  it('fails fast with STORE_UNAVAILABLE and hides the password', async () => {
    const started = Date.now();
    const store = new MongoStore({ uri: 'mongodb://journal:s3cret@127.0.0.1:1/x', serverSelectionTimeoutMs: 500 });
    const err = await store.init().then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(StorageError);
    expect(err).to.have.property('code', 'STORE_UNAVAILABLE');
    expect((err as Error).message).to.equal(
      'Cannot reach MongoDB at mongodb://journal:****@127.0.0.1:1/x (connect ECONNREFUSED 127.0.0.1:1): check STORE_URL and that the replica set is up',
    );
    expect(Date.now() - started).to.be.below(3000);
  });

  it('refuses calls before init with a clear error', async () => {
    const err = await new MongoStore({ uri: 'mongodb://127.0.0.1:1/x' }).getSetting('k').then(() => null, (e: unknown) => e);
    expect(err).to.have.property('code', 'STORE_UNAVAILABLE');
    expect((err as Error).message).to.equal('The MongoDB store at mongodb://127.0.0.1:1/x is not open: call init() first');
  });
});

describe('redactMongoUri', () => {
  it('masks the password of standard and SRV URIs and leaves others alone', () => {
    expect(redactMongoUri('mongodb://u:p@a:27017,b:27017/db?replicaSet=rs0')).to.equal('mongodb://u:****@a:27017,b:27017/db?replicaSet=rs0');
    expect(redactMongoUri('mongodb+srv://u:p%40ss@cluster.example/db')).to.equal('mongodb+srv://u:****@cluster.example/db');
    expect(redactMongoUri('mongodb://a/db')).to.equal('mongodb://a/db');
  });
});
