/**
 * A host process for the concurrent-hosts run of the crash suite: fires the events of a JSON file
 * at the store named by the environment, four at a time (so they overlap within the process too),
 * printing `done` at the end. Several of these run at once on overlapping event lists.
 * Usage: node --import tsx test/reliability/crash-host-events.ts <events.json>
 */
import { readFileSync } from 'node:fs';
import { orcidConnect } from '../../src/plugin.js';
import type { Article, Review, Submission } from '../../src/types.js';

export type HostEvent =
  | { kind: 'publish'; article: Article }
  | { kind: 'review'; review: Review }
  | { kind: 'submission'; submission: Submission };

const events = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as HostEvent[];
const orcid = await orcidConnect({});
process.stderr.write('ready\n');
const fire = (e: HostEvent) =>
  e.kind === 'publish' ? orcid.articlePublished(e.article) : e.kind === 'review' ? orcid.reviewCompleted(e.review) : orcid.submissionCreated(e.submission);
for (let i = 0; i < events.length; i += 4) await Promise.all(events.slice(i, i + 4).map(fire));
process.stderr.write('done\n');
await orcid.close();
