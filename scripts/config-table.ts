/**
 * Prints the configuration table of docs/configuration.md, generated from plugin-manifest.json so
 * the docs cannot drift from what `loadConfig` accepts. Run: `npx tsx scripts/config-table.ts`;
 * `--write` replaces the table in docs/configuration.md. test/readme-config.test.ts checks that
 * docs/configuration.md contains exactly this output, and that the README names only real variables.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { pluginManifest, settingLeaves, type SettingLeaf } from '../src/config-env.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function defaultCell(leaf: SettingLeaf): string {
  const d = leaf.schema.default;
  if (d === undefined || d === null) return '—';
  if (leaf.schema.writeOnly) return '(dev-only value)';
  return `\`${JSON.stringify(d)}\``;
}

/** The Markdown table: one row per setting with its environment variable, default and meaning. */
export function configTableMarkdown(): string {
  const rows = settingLeaves(pluginManifest.settingsSchema).map((leaf) => {
    const allowed = leaf.schema.enum ? ` One of ${leaf.schema.enum.map((v) => `\`${String(v)}\``).join(', ')}.` : '';
    return `| \`${leaf.path}\` | ${leaf.env ? `\`${leaf.env}\`` : ''} | ${defaultCell(leaf)} | ${cell(`${leaf.schema.description ?? ''}${allowed}`)} |`;
  });
  return ['| setting | environment variable | default | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}

export const CONFIGURATION_DOC = 'docs/configuration.md';

/** docs/configuration.md with its table (from the header row to the end of the file) regenerated. */
export function withTable(doc: string): string {
  const at = doc.indexOf('| setting | environment variable |');
  if (at < 0) throw new Error(`${CONFIGURATION_DOC} has no configuration table to replace`);
  return doc.slice(0, at) + configTableMarkdown();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--write')) writeFileSync(CONFIGURATION_DOC, withTable(readFileSync(CONFIGURATION_DOC, 'utf8')));
  else process.stdout.write(configTableMarkdown());
}
