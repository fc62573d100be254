import mongoose from 'mongoose';

/** The same deployment, another database: `mongodb://h1,h2/old?x=y` → `mongodb://h1,h2/<name>?x=y`. */
export function withDatabase(base: string, name: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(base);
  if (!m) throw new Error(`MONGODB_URI is not a MongoDB URI: ${base}`);
  return `${m[1]}/${name}${m[2] ?? ''}`;
}

/** A database of its own for one test file on the MONGODB_URI deployment, and how to empty it. */
export function mongoTestDatabase(base: string, name: string): { testUri: string; dropDatabase: () => Promise<void> } {
  const testUri = withDatabase(base, name);
  const dropDatabase = async () => {
    const admin = mongoose.createConnection(testUri, { serverSelectionTimeoutMS: 5000 });
    await admin.asPromise();
    await admin.dropDatabase();
    await admin.close();
  };
  return { testUri, dropDatabase };
}
