import nock from 'nock';

/** Mocha hooks: only local servers (the demo, the emulator) may be reached while the suite runs; anything else is a bug. */
export function localNetworkOnly(): void {
  before(() => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
  });
  after(() => nock.enableNetConnect());
}
