import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runDemoCli } from '../../src/demo/cli.js';
import { localNetworkOnly } from '../local-network.js';

/** Run the demo CLI until it printed its banner, then stop it as Ctrl-C would. */
async function runUntilReady(argv: string[]) {
  let out = '';
  let err = '';
  let stop!: () => void;
  const stopSignal = new Promise<void>((resolve) => (stop = resolve));
  const code = await runDemoCli(argv, {
    stdout: (s) => {
      out += s;
      if (s.includes('Press Ctrl-C')) stop();
    },
    stderr: (s) => (err += s),
    env: {},
    stopSignal,
  });
  return { code, out, err };
}

describe('runDemoCli', function () {
  localNetworkOnly();
  this.timeout(20_000);
  let busy: Server;
  let busyPort: number;

  before(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
    busyPort = (busy.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it('prints the URLs and the researchers to sign in as, then closes cleanly on the stop signal', async () => {
    const { code, out, err } = await runUntilReady(['--port', '0', '--emulator-port', '0', '--store', 'sqlite::memory:']);
    expect([code, err]).to.deep.equal([0, '']);
    expect(out).to.match(/Demo journal: {3}http:\/\/127\.0\.0\.1:\d+\n {2}ORCID emulator: http:\/\/127\.0\.0\.1:\d+\n/);
    expect(out).to.contain('    - Josiah Carberry  0000-0002-1825-0097  (the submitting author)  http://127.0.0.1:');
    expect(out).to.contain('    - Erin Editor (editor): ');
    expect(out).to.contain('Stopping the demo…');
  });

  it('takes a free port when the asked-for one is busy', async () => {
    const { code, out } = await runUntilReady([`--port=${busyPort}`, `--emulator-port=${busyPort}`, '--store=sqlite::memory:']);
    expect(code).to.equal(0);
    const [demoPort, emulatorPort] = [/Demo journal: +http:\/\/127\.0\.0\.1:(\d+)/, /ORCID emulator: +http:\/\/127\.0\.0\.1:(\d+)/].map((re) => Number(re.exec(out)?.[1]));
    expect(demoPort).to.be.above(0).and.not.equal(busyPort);
    expect(emulatorPort).to.be.above(0).and.not.equal(busyPort);
  });

  it('answers bad arguments with the usage and exit code 2', async () => {
    let err = '';
    const code = await runDemoCli(['--port', 'lots'], { stderr: (s) => (err += s), stdout: () => undefined, env: {}, stopSignal: Promise.resolve() });
    expect(code).to.equal(2);
    expect(err.split('\n')[0]).to.equal('usage: koa-orcid-connect demo [--port N] [--emulator-port N] [--store URL]');
  });
});
