import { expect } from 'chai';
import { importOptional } from '../src/optional-import.js';
import { DEPENDENCY_MISSING, MissingDependencyError } from '../src/errors.js';

describe('loading a module that needs an optional package', () => {
  it('names the package to install when it is missing', async () => {
    const err = await importOptional(() => import('koa-orcid-no-such-driver' as string), 'koa-orcid-no-such-driver', 'A test STORE_URL').then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(MissingDependencyError);
    expect(err).to.have.property('code', DEPENDENCY_MISSING);
    expect(err).to.have.property('packageName', 'koa-orcid-no-such-driver');
    expect((err as Error).message).to.equal('A test STORE_URL needs the package "koa-orcid-no-such-driver", which is not installed: npm install koa-orcid-no-such-driver');
  });

  it('rethrows any other failure as it is', async () => {
    const boom = new Error('native build broken');
    const err = await importOptional(() => Promise.reject(boom), 'better-sqlite3', 'x').then(() => null, (e: unknown) => e);
    expect(err).to.equal(boom);
  });

  it('returns the module when the package is installed', async () => {
    const mod = await importOptional(() => import('node:path'), 'node:path', 'x');
    expect(mod.join('a', 'b')).to.equal('a/b');
  });
});
