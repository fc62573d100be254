import { expect } from 'chai';
import { join } from 'node:path';
import { FULL, ROOT, checkRecords, explain, kill, printFigures, rng, sleep, spawnCli, spawnScript, startStage, waitFor, type Stage, type WorkerProcess } from './helpers.js';
import { applyMutations, buildWorkload, chunks, linkContributors, plainArticle, publishAll } from './workload.js';
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const DEPOSITS = FULL ? 5000 : 300;
const KILLS = FULL ? 20 : 5;
const RESEARCHERS = FULL ? 50 : 12;
const ORPHAN = /: deleted, but \d+ item\(s\) remain$/;

/**
 * Crash safety: worker processes are killed with SIGKILL at random moments while they drain the
 * outbox, and restarted. Afterwards each record holds exactly one item per deposit with the latest
 * payload, the ledger holds every put-code, and no job is lost, parked or left leased.
 */
describe('reliability: crashes', function () {
  this.timeout(FULL ? 900_000 : 120_000);
  const figures: Record<string, unknown> = {};
  after(() => printFigures('crashes', figures));

  async function settle(stage: Stage, timeoutMs: number) {
    await waitFor('the outbox to empty', async () => {
      const c = await stage.orcid.store.countJobs();
      return c.queued === 0 && c.leased === 0;
    }, timeoutMs, 100);
  }

  async function survive(name: string, workers: number, seed: number) {
    const random = rng(seed);
    const stage = await startStage({ researchers: RESEARCHERS, seed, emulator: { } });
    const running: WorkerProcess[] = [];
    try {
      // Latency keeps requests in flight, so kills land between a POST and the put-code being stored.
      await fetch(`${stage.emulator.url}/_emulator/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 5 }) });
      const w = buildWorkload(stage.researchers, DEPOSITS, random);
      await linkContributors(stage.orcid, w);
      const queued = await publishAll(stage.orcid, w);
      expect(queued).to.equal(w.deposits);
      const parts = chunks(w.mutations, KILLS);
      const doneAtKill: number[] = [];
      for (let i = 0; i < workers; i++) running.push(spawnCli(['worker'], stage.env));
      for (let k = 0; k < KILLS; k++) {
        await Promise.all(running.map((p) => p.started));
        await applyMutations(stage.orcid, parts[k]!); // corrections and retractions arrive while workers run
        await sleep(50 + Math.floor(random() * (FULL ? 900 : 400)));
        const victim = Math.floor(random() * running.length);
        await kill(running[victim]!);
        doneAtKill.push((await stage.orcid.store.countJobs()).done);
        running[victim] = spawnCli(['worker'], stage.env);
      }
      await Promise.all(running.map((p) => p.started));
      await settle(stage, FULL ? 600_000 : 60_000);
      for (const p of running) await kill(p, 'SIGTERM');
      const counts = await stage.orcid.store.countJobs();
      const parked = (await stage.orcid.store.listJobs({ status: 'parked', limit: 20 })).map((j) => j.job.parkReason);
      expect(counts, `no job queued, leased or parked; parked because: ${JSON.stringify(parked)}`).to.deep.include({ queued: 0, leased: 0, parked: 0 });
      const { problems: all, items } = await checkRecords(stage, w.expected);
      // A work posted just before a kill and retracted before the retry must not stay (counted apart for the figures).
      const orphans = all.filter((p) => ORPHAN.test(p));
      const problems = all;
      expect(problems.slice(0, 20), `${problems.length} problems\n${await explain(stage, problems)}`).to.deep.equal([]);
      const adopted = (await stage.orcid.store.listHistory({ limit: 100_000 })).filter((h) => h.event === 'item.adopted').length;
      figures[name] = {
        seed, workers, deposits: w.deposits, mutations: w.mutations.length, kills: KILLS, doneAtKill,
        itemsOnRecords: items, reconciledAfterCrash: adopted, orphansAfterDelete: orphans.length, jobs: counts,
      };
    } finally {
      for (const p of running) await kill(p);
      await stage.close();
    }
  }

  it(`loses nothing and posts nothing twice when one worker is killed ${KILLS} times`, async () => {
    await survive('one worker', 1, 1001);
  });

  it(`loses nothing and posts nothing twice with two workers, one killed ${KILLS} times`, async () => {
    await survive('two workers', 2, 2002);
  });

  it('loses nothing when the host process is killed during articlePublished and re-sends the event', async () => {
    const seed = 3003;
    const random = rng(seed);
    const stage = await startStage({ researchers: RESEARCHERS, seed });
    const processes: WorkerProcess[] = [];
    try {
      const w = buildWorkload(stage.researchers, FULL ? 2000 : 200, random, 'h');
      w.reviews.length = 0; // this one is about articlePublished
      for (const [k, v] of [...w.expected]) if (k.startsWith('peer-review:')) w.expected.delete(k);
      await linkContributors(stage.orcid, w);
      const file = join(stage.dir, 'articles.json');
      writeFileSync(file, JSON.stringify(w.articles.map(plainArticle)));
      const worker = spawnCli(['worker'], stage.env);
      processes.push(worker);
      let hostKills = 0;
      const progressAtKill: number[] = [];
      for (let k = 0; k < KILLS; k++) {
        const host = spawnScript(join(ROOT, 'test/reliability/host-child.ts'), [file], stage.env, /ready/);
        processes.push(host);
        await host.started;
        await sleep(20 + Math.floor(random() * 300));
        const published = (host.stderr().match(/^published /gm) ?? []).length;
        if (/^done/m.test(host.stderr())) continue; // finished before the kill: nothing to interrupt
        await kill(host);
        hostKills++;
        progressAtKill.push(published);
      }
      // The host re-sends every event it has no acknowledgement for; the last run completes.
      const last = spawnScript(join(ROOT, 'test/reliability/host-child.ts'), [file], stage.env, /^done/m);
      processes.push(last);
      await last.started;
      await last.exited;
      await applyMutations(stage.orcid, w.mutations); // later corrections and retractions of the same articles
      await settle(stage, FULL ? 600_000 : 60_000);
      await kill(worker, 'SIGTERM');
      const counts = await stage.orcid.store.countJobs();
      expect(counts).to.deep.include({ queued: 0, leased: 0, parked: 0 });
      const { problems, items } = await checkRecords(stage, w.expected);
      expect(problems.slice(0, 20), `${problems.length} problems\n${await explain(stage, problems)}`).to.deep.equal([]);
      expect(hostKills, 'the host was killed mid-run at least once').to.be.greaterThan(0);
      figures['host killed in articlePublished'] = { seed, articles: w.articles.length, deposits: w.expected.size, hostKills, progressAtKill, itemsOnRecords: items, jobs: counts };
    } finally {
      for (const p of processes) await kill(p);
      await stage.close();
    }
  });

  it('loses nothing and posts nothing twice with three workers and two hosts, 20 SIGKILLs across them', async () => {
    const seed = 4004;
    const random = rng(seed);
    const stage = await startStage({ researchers: RESEARCHERS, seed });
    const processes: WorkerProcess[] = [];
    try {
      await fetch(`${stage.emulator.url}/_emulator/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 5 }) });
      const w = buildWorkload(stage.researchers, FULL ? 2000 : 300, random, 'm');
      w.reviews.length = 0; // hosts send articlePublished only (host-child.ts)
      for (const [k] of [...w.expected]) if (k.startsWith('peer-review:')) w.expected.delete(k);
      w.mutations = w.mutations.filter((m) => m.kind !== 'update-review');
      await linkContributors(stage.orcid, w);
      // Each host sends half the articles; a killed host is started again and re-sends its half.
      const files = [0, 1].map((h) => {
        const file = join(stage.dir, `articles-${h}.json`);
        writeFileSync(file, JSON.stringify(w.articles.filter((_, i) => i % 2 === h).map(plainArticle)));
        return file;
      });
      const startHost = (h: number) => spawnScript(join(ROOT, 'test/reliability/host-child.ts'), [files[h]!], stage.env, /ready/);
      const running: WorkerProcess[] = [...[0, 1, 2].map(() => spawnCli(['worker'], stage.env)), startHost(0), startHost(1)];
      processes.push(...running);
      const kills = { worker: 0, host: 0 };
      for (let k = 0; k < 20; k++) {
        await Promise.all(running.map((p) => p.started));
        await sleep(50 + Math.floor(random() * 400));
        let victim = Math.floor(random() * running.length);
        // A host that has sent everything has nothing to interrupt: a worker dies instead.
        if (victim >= 3 && /^done/m.test(running[victim]!.stderr())) victim = Math.floor(random() * 3);
        await kill(running[victim]!);
        kills[victim < 3 ? 'worker' : 'host']++;
        running[victim] = victim < 3 ? spawnCli(['worker'], stage.env) : startHost(victim - 3);
        processes.push(running[victim]!);
      }
      // Hosts run to the end (each re-sends what it has no acknowledgement for), then later corrections arrive.
      for (const h of [3, 4]) {
        if (!/^done/m.test(running[h]!.stderr())) {
          await running[h]!.exited;
          if (!/^done/m.test(running[h]!.stderr())) {
            const again = spawnScript(join(ROOT, 'test/reliability/host-child.ts'), [files[h - 3]!], stage.env, /^done/m);
            processes.push(again);
            await again.exited;
            expect(again.stderr(), 'the re-started host finished').to.match(/^done/m);
          }
        }
      }
      await applyMutations(stage.orcid, w.mutations);
      await settle(stage, FULL ? 600_000 : 90_000);
      for (const p of running.slice(0, 3)) await kill(p, 'SIGTERM');
      const counts = await stage.orcid.store.countJobs();
      const parked = (await stage.orcid.store.listJobs({ status: 'parked', limit: 20 })).map((j) => j.job.parkReason);
      expect(counts, `no job queued, leased or parked; parked because: ${JSON.stringify(parked)}`).to.deep.include({ queued: 0, leased: 0, parked: 0 });
      const { problems, items } = await checkRecords(stage, w.expected);
      expect(problems.slice(0, 20), `${problems.length} problems\n${await explain(stage, problems)}`).to.deep.equal([]);
      figures['three workers, two hosts'] = { seed, articles: w.articles.length, deposits: w.expected.size, mutations: w.mutations.length, kills, itemsOnRecords: items, jobs: counts };
    } finally {
      for (const p of processes) await kill(p);
      await stage.close();
    }
  }).timeout(FULL ? 900_000 : 300_000); // 25 processes started on a shared machine

  // Restarting PostgreSQL restarts the machine's shared cluster (every other user of it loses its
  // connections), so this runs only when asked: RELIABILITY_PG_RESTART=1 with RELIABILITY_POSTGRES_URL.
  const restartable = process.env.RELIABILITY_PG_RESTART === '1' && !!process.env.RELIABILITY_POSTGRES_URL;
  (restartable ? it : it.skip)('loses nothing when PostgreSQL restarts mid-drain: workers pause, reconnect and go on (RELIABILITY_PG_RESTART=1)', async () => {
    const seed = 6006;
    const random = rng(seed);
    const stage = await startStage({ researchers: RESEARCHERS, seed });
    const processes: WorkerProcess[] = [];
    try {
      await fetch(`${stage.emulator.url}/_emulator/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 5 }) });
      const w = buildWorkload(stage.researchers, FULL ? 2000 : 300, random, 'r');
      await linkContributors(stage.orcid, w);
      expect(await publishAll(stage.orcid, w)).to.equal(w.deposits);
      const workers = [0, 1].map(() => spawnCli(['worker'], stage.env));
      processes.push(...workers);
      await Promise.all(workers.map((p) => p.started));
      await waitFor('some works posted', async () => (await stage.orcid.store.countJobs()).done >= w.deposits / 4, 60_000, 50);
      const doneBefore = (await stage.orcid.store.countJobs()).done;
      const cmd = (process.env.RELIABILITY_PG_RESTART_CMD ?? 'pg_ctlcluster --skip-systemctl-redirect 15 main restart').split(' ');
      execFileSync(cmd[0]!, cmd.slice(1), { stdio: 'ignore' });
      // The test's own store reconnects too (its pool drops the dead connections).
      await waitFor('the server to answer again', async () => !!(await stage.orcid.store.countJobs().catch(() => null)), 60_000, 200);
      await applyMutations(stage.orcid, w.mutations); // corrections and retractions after the restart, through the reconnected pool
      await settle(stage, FULL ? 600_000 : 120_000);
      for (const p of workers) expect(p.child.exitCode, 'workers kept running through the restart').to.equal(null);
      for (const p of workers) await kill(p, 'SIGTERM');
      const counts = await stage.orcid.store.countJobs();
      const parked = (await stage.orcid.store.listJobs({ status: 'parked', limit: 20 })).map((j) => j.job.parkReason);
      expect(counts, `no job queued, leased or parked; parked because: ${JSON.stringify(parked)}`).to.deep.include({ queued: 0, leased: 0, parked: 0 });
      const { problems, items } = await checkRecords(stage, w.expected);
      expect(problems.slice(0, 20), `${problems.length} problems\n${await explain(stage, problems)}`).to.deep.equal([]);
      figures['PostgreSQL restart mid-drain'] = { seed, deposits: w.deposits, doneBeforeRestart: doneBefore, itemsOnRecords: items, jobs: counts };
    } finally {
      for (const p of processes) await kill(p);
      await stage.close();
    }
  }).timeout(FULL ? 900_000 : 300_000);

  it('loses nothing when three host processes fire overlapping events at one store', async () => {
    const seed = 5005;
    const random = rng(seed);
    const stage = await startStage({ researchers: RESEARCHERS, seed });
    const processes: WorkerProcess[] = [];
    try {
      const w = buildWorkload(stage.researchers, FULL ? 600 : 120, random, 'x');
      // The workload's own reviews (and their corrections) are left out: the reviews here share reviewers.
      w.reviews.length = 0;
      w.mutations = w.mutations.filter((m) => m.kind !== 'update-review');
      for (const [k] of [...w.expected]) if (k.startsWith('peer-review:')) w.expected.delete(k);
      await linkContributors(stage.orcid, w);
      // Shared reviewers: each writes several reviews, arriving from different hosts at once. The
      // last reviewer connects only afterwards, so its review links are all that backfill has.
      const reviewers = stage.researchers.slice(0, 4);
      const now = new Date();
      for (const [k, r] of reviewers.entries()) {
        await stage.orcid.store.upsertContributor({ id: `x-rv-${k}`, submissionId: 'x-rv', role: 'reviewer', givenNames: 'Rev', familyName: `${k}`, email: `rv${k}@example.org` }, now);
        if (k < reviewers.length - 1) await stage.orcid.store.linkContributor(`x-rv-${k}`, r.identityId, now);
      }
      const reviews = Array.from({ length: FULL ? 80 : 24 }, (_, i) => ({
        id: `x-shared-rev-${i}`, submissionId: `x-rsub-${i}`, reviewerContributorId: `x-rv-${i % reviewers.length}`, completedAt: '2026-10-20',
        manuscriptTitle: `Reviewed manuscript ${i}`, journal: { title: 'Journal of Emulated Research', issn: '0000-0000' },
      }));
      for (const r of reviews) {
        const k = Number(r.reviewerContributorId.split('-').pop());
        if (k < reviewers.length - 1) w.expected.set(`peer-review:${r.id}:${reviewers[k]!.orcid}`, { present: true, marker: `:review:${r.id}<` }); // its own id: titles are not posted (blind policy)
      }
      const submissions = Array.from({ length: FULL ? 60 : 20 }, (_, i) => ({
        id: `x-inv-${i}`, title: `Invited ${i}`,
        contributors: [{ contributorId: `x-inv-c-${i}`, role: 'coauthor' as const, givenNames: 'Co', familyName: `Author ${i}`, email: `co${i}@example.org` }],
      }));
      const events = [
        ...w.articles.map((a) => ({ kind: 'publish' as const, article: plainArticle(a) })),
        ...reviews.map((review) => ({ kind: 'review' as const, review })),
        ...submissions.map((submission) => ({ kind: 'submission' as const, submission })),
      ];
      // Every event goes to two of the three hosts (as a host retrying on another node would), in each host's own order.
      const lists: Array<typeof events> = [[], [], []];
      for (const e of events) {
        const skip = Math.floor(random() * 3);
        for (let hIdx = 0; hIdx < 3; hIdx++) if (hIdx !== skip) lists[hIdx]!.push(e);
      }
      for (const list of lists) list.sort(() => random() - 0.5);
      const worker = spawnCli(['worker'], stage.env);
      processes.push(worker);
      const hosts = lists.map((list, i) => {
        const file = join(stage.dir, `events-${i}.json`);
        writeFileSync(file, JSON.stringify(list));
        return spawnScript(join(ROOT, 'test/reliability/crash-host-events.ts'), [file], stage.env, /^done/m);
      });
      processes.push(...hosts);
      await Promise.all(hosts.map((p) => p.started)); // each prints done at its end
      await Promise.all(hosts.map((p) => p.exited));
      for (const p of hosts) expect(p.stderr(), 'every host finished').to.match(/^done/m);
      await applyMutations(stage.orcid, w.mutations); // later corrections and retractions of the same articles
      await settle(stage, FULL ? 600_000 : 60_000);
      await kill(worker, 'SIGTERM');
      const counts = await stage.orcid.store.countJobs();
      expect(counts).to.deep.include({ queued: 0, leased: 0, parked: 0 });
      const { problems, items } = await checkRecords(stage, w.expected);
      expect(problems.slice(0, 20), `${problems.length} problems\n${await explain(stage, problems)}`).to.deep.equal([]);
      // No review link lost: each reviewer's reviews, the late one's included (what backfill reads).
      for (const [k] of reviewers.entries()) {
        const found = await stage.orcid.store.sourcesOfContributors([{ id: `x-rv-${k}`, submissionId: 'x-rv' }]);
        expect(found.reviews.map((r) => r.id).sort(), `reviews of x-rv-${k}`).to.deep.equal(reviews.filter((r) => r.reviewerContributorId === `x-rv-${k}`).map((r) => r.id).sort());
      }
      // No invitation lost: every invitee is due for the reminder.
      const due = await stage.orcid.store.dueInvitations(new Date(Date.now() + 365 * 86_400_000), null, 10_000);
      expect(due.filter((c) => c.id.startsWith('x-inv-c-')).map((c) => c.id).sort()).to.deep.equal(submissions.map((s) => s.contributors[0]!.contributorId).sort());
      figures['three hosts, overlapping events'] = { seed, events: events.length, perHost: lists.map((l) => l.length), deposits: w.expected.size, itemsOnRecords: items, jobs: counts };
    } finally {
      for (const p of processes) await kill(p);
      await stage.close();
    }
  });
});
