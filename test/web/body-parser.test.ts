import { expect } from 'chai';
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { bodyParser } from '../../src/web/body-parser.js';

describe('bodyParser', () => {
  let server: Server;
  let base: string;

  before(async () => {
    const app = new Koa();
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (err) {
        const e = err as { status?: number; message: string };
        ctx.status = e.status ?? 500;
        ctx.body = { error: e.message };
      }
    });
    app.use(bodyParser({ types: ['json', 'form'], limit: '1kb' }));
    app.use((ctx) => {
      ctx.body = { body: (ctx.request as unknown as { body?: unknown }).body ?? 'untouched' };
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  const post = async (body: string, type: string, method = 'POST') => {
    const res = await fetch(base, { method, headers: { 'content-type': type }, body });
    return { status: res.status, json: (await res.json()) as { body?: unknown; error?: string } };
  };

  it('parses JSON and forms on POST, PUT and PATCH', async () => {
    expect(await post('{"a":[1,2]}', 'application/json')).to.deep.equal({ status: 200, json: { body: { a: [1, 2] } } });
    expect(await post('return=%2Fback&x=1', 'application/x-www-form-urlencoded', 'PUT')).to.deep.equal({ status: 200, json: { body: { return: '/back', x: '1' } } });
    expect((await post('{"a":1}', 'application/json; charset=utf-8', 'PATCH')).json).to.deep.equal({ body: { a: 1 } });
  });

  it('leaves other media types as an empty body, unread', async () => {
    expect(await post('<a/>', 'application/xml')).to.deep.equal({ status: 200, json: { body: {} } });
  });

  it('does not read the body of a GET', async () => {
    const res = await fetch(base);
    expect(await res.json()).to.deep.equal({ body: 'untouched' });
  });

  it('answers 400 to malformed or non-object JSON, and 413 to a body over the limit', async () => {
    expect((await post('{"a":', 'application/json')).status).to.equal(400);
    expect((await post('"a string"', 'application/json')).status).to.equal(400);
    expect((await post(`{"a":"${'x'.repeat(2000)}"}`, 'application/json')).status).to.equal(413);
    expect((await post(`a=${'x'.repeat(2000)}`, 'application/x-www-form-urlencoded')).status).to.equal(413);
  });
});
