/**
 * The host process for the crash test: mounts nothing, just sends `articlePublished` for every
 * article in a JSON file, in order, printing `published <id>` after each acknowledgement and
 * `done` at the end. The test kills it with SIGKILL mid-run and starts it again, as a host would
 * re-send events it has no acknowledgement for. Configuration comes from the environment.
 * Usage: node --import tsx test/reliability/host-child.ts <articles.json>
 */
import { readFileSync } from 'node:fs';
import { orcidConnect } from '../../src/plugin.js';
import type { Article } from '../../src/types.js';

const articles = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Article[];
const orcid = await orcidConnect({});
process.stderr.write('ready\n');
for (const a of articles) {
  await orcid.articlePublished(a);
  process.stderr.write(`published ${a.id}\n`);
}
process.stderr.write('done\n');
await orcid.close();
