/**
 * `koa-orcid-connect journals upsert --file journal.json`: add or update journals and credentials
 * records from a JSON file, with the configuration from the environment. The file holds one journal
 * (`{ id, title, …, credentialsId }`), or `{ "journals": [...], "orcidCredentials": [...] }` as in
 * the settings. Every record is validated before the store is opened: bad input writes nothing and
 * exits 2 with each problem's path.
 */
import { readFile } from 'node:fs/promises';
import { InputFileError } from '../errors.js';
import { createLogger } from '../log.js';
import { loadConfig } from '../config.js';
import type { JournalSettings, OrcidCredentialsSettings } from '../types.js';
import { JournalInvalidError } from './errors.js';
import { credentialsProblems, journalProblems } from './schema.js';

export interface JournalFile {
  journals: JournalSettings[];
  credentials: OrcidCredentialsSettings[];
}

/** The records of a journal file, validated (credentials references are checked against the store later). Pure. */
export function parseJournalFile(text: string, file: string, ctx: { invitations: { expiryDays: number; reminderDays: number }; env: string }): JournalFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new JournalInvalidError([{ setting: file, problem: `is not JSON (${(e as Error).message})` }]);
  }
  const v = value as Record<string, unknown>;
  const isList = v !== null && typeof v === 'object' && !Array.isArray(v) && ('journals' in v || 'orcidCredentials' in v);
  const journals = isList ? v.journals ?? [] : [v];
  const credentials = isList ? v.orcidCredentials ?? [] : [];
  if (!Array.isArray(journals) || !Array.isArray(credentials)) {
    throw new JournalInvalidError([{ setting: file, problem: 'must hold one journal, or { "journals": [...], "orcidCredentials": [...] }' }]);
  }
  const problems = [
    ...credentials.flatMap((c, i) => credentialsProblems(c, `orcidCredentials[${i}]`, ctx.env)),
    ...journals.flatMap((j, i) => journalProblems(j, isList ? `journals[${i}]` : 'journal', ctx)),
  ];
  if (problems.length > 0) throw new JournalInvalidError(problems);
  return { journals: journals as JournalSettings[], credentials: credentials as OrcidCredentialsSettings[] };
}

export async function runJournalsCli(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const [sub, ...rest] = argv;
  const fileAt = rest.indexOf('--file');
  const file = fileAt >= 0 ? rest[fileAt + 1] : undefined;
  if (sub !== 'upsert' || !file) {
    process.stderr.write('usage: koa-orcid-connect journals upsert --file <journal.json>\n');
    return 2;
  }
  const config = loadConfig({});
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new InputFileError(file, e as NodeJS.ErrnoException);
  }
  const parsed = parseJournalFile(text, file, { invitations: config.invitations, env: config.orcid.env });
  // Only now, with valid input, is the store opened.
  const { orcidConnect } = await import('../plugin.js');
  const orcid = await orcidConnect({ logger: createLogger({ level: config.logLevel, destination: process.stderr }) });
  try {
    for (const c of parsed.credentials) await orcid.journals.upsertCredentials(c);
    for (const j of parsed.journals) {
      const journal = await orcid.journals.upsert(j);
      out.write(`${journal.id}\t${journal.title}\tcredentials ${journal.credentialsId}\n`);
    }
    for (const c of parsed.credentials) out.write(`credentials ${c.id}\t${c.clientId}\n`);
  } finally {
    await orcid.close();
  }
  return 0;
}
