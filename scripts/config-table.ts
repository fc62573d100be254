/**
 * Prints the README "Configuration" table, generated from plugin-manifest.json so the README
 * cannot drift from what `loadConfig` accepts. Run: `npx tsx scripts/config-table.ts`.
 * test/readme-config.test.ts checks that README.md contains exactly this output.
 */
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

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.stdout.write(configTableMarkdown());
