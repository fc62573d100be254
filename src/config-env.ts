/**
 * The settings schema (from plugin-manifest.json) walked into a flat list of leaves, and the
 * environment mapped onto it. Coercion follows each leaf's JSON Schema type, so a new setting
 * needs only a schema entry with `x-env` — no code here.
 */
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject } from 'ajv';
import type { ConfigProblem } from './errors.js';

/** The subset of JSON Schema the settings schema uses. */
export interface SettingSchema {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  examples?: unknown[];
  writeOnly?: boolean;
  items?: SettingSchema;
  properties?: Record<string, SettingSchema>;
  'x-env'?: string;
  [keyword: string]: unknown;
}

export interface PluginManifest {
  name: string;
  version: string;
  description: string;
  mountPath: string;
  events: { name: string; method: string; description: string }[];
  scopes: { default: string[]; premium: string[]; descriptions: Record<string, string> };
  routes: { method: string; path: string; description: string }[];
  settingsSchema: SettingSchema & { properties: Record<string, SettingSchema> };
}

/** One setting: a leaf of the schema (anything that is not an object of settings). */
export interface SettingLeaf {
  /** Dotted path, `orcid.clientId`. */
  path: string;
  keys: string[];
  env: string | undefined;
  schema: SettingSchema;
}

// `../plugin-manifest.json` is right from both src/ (tsx) and dist/ (tsc with rootDir src).
const require = createRequire(import.meta.url);
/** plugin-manifest.json, as shipped with the package. */
export const pluginManifest: PluginManifest = require('../plugin-manifest.json') as PluginManifest;

/** Every setting in schema order. */
export function settingLeaves(schema: SettingSchema = pluginManifest.settingsSchema): SettingLeaf[] {
  const leaves: SettingLeaf[] = [];
  const walk = (node: SettingSchema, keys: string[]): void => {
    if (node.type === 'object' && node.properties) {
      for (const [key, child] of Object.entries(node.properties)) walk(child, [...keys, key]);
      return;
    }
    leaves.push({ path: keys.join('.'), keys, env: node['x-env'], schema: node });
  };
  walk(schema, []);
  return leaves;
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** Split a list variable. Scopes are space separated in OAuth, so spaces are accepted too. */
export function splitList(raw: string): string[] {
  return raw
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Turn one environment string into the leaf's type, or say why it cannot be. */
export function coerceEnvValue(leaf: SettingLeaf, raw: string): { value: unknown } | { problem: string } {
  const shown = leaf.schema.writeOnly ? '(secret value not shown)' : JSON.stringify(raw);
  switch (leaf.schema.type) {
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (TRUE.has(v)) return { value: true };
      if (FALSE.has(v)) return { value: false };
      return { problem: `must be true or false (also accepted: 1/0, yes/no, on/off), got ${shown}` };
    }
    case 'integer':
    case 'number': {
      const v = raw.trim();
      const n = v === '' ? NaN : Number(v);
      if (!Number.isFinite(n) || (leaf.schema.type === 'integer' && !Number.isInteger(n))) {
        return { problem: `must be ${leaf.schema.type === 'integer' ? 'a whole number' : 'a number'}, got ${shown}` };
      }
      return { value: n };
    }
    case 'array':
      // A list of records (journals, credentials) is JSON; its content may hold secrets, never echoed.
      if (leaf.schema.items?.type === 'object') {
        try {
          return { value: JSON.parse(raw) as unknown };
        } catch (e) {
          return { problem: `must be a JSON array (${(e as Error).message.replace(/ in JSON at .*| \(line .*/, '')})` };
        }
      }
      return { value: splitList(raw) };
    default:
      return { value: raw.trim() };
  }
}

export interface EnvSettings {
  /** Nested settings read from the environment (only variables that are set and non-empty). */
  values: Record<string, unknown>;
  /** Dotted paths whose value came from the environment. */
  fromEnv: Set<string>;
  problems: ConfigProblem[];
}

/**
 * Read every `x-env` variable. Empty strings count as unset: `FOO=` in a .env file or a compose
 * file usually means "not configured", and treating it as a value would turn into confusing
 * "must not be empty" errors for optional settings.
 */
export function readEnv(env: NodeJS.ProcessEnv, leaves: SettingLeaf[] = settingLeaves()): EnvSettings {
  const values: Record<string, unknown> = {};
  const fromEnv = new Set<string>();
  const problems: ConfigProblem[] = [];
  for (const leaf of leaves) {
    if (!leaf.env) continue;
    const raw = env[leaf.env];
    if (raw === undefined || raw.trim() === '') continue;
    const result = coerceEnvValue(leaf, raw);
    if ('problem' in result) {
      problems.push({ setting: leaf.path, problem: `${result.problem} (from environment variable ${leaf.env})` });
      continue;
    }
    setPath(values, leaf.keys, result.value);
    fromEnv.add(leaf.path);
  }
  return { values, fromEnv, problems };
}

export function getPath(obj: unknown, keys: string[]): unknown {
  let cur: unknown = obj;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

export function setPath(obj: Record<string, unknown>, keys: string[], value: unknown): void {
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = value;
}

/** Deep merge of plain objects; arrays and scalars in `over` replace; `undefined` in `over` is skipped. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const b = out[k];
    out[k] = isPlainObject(v) && isPlainObject(b) ? deepMerge(b, v) : isPlainObject(v) ? deepMerge({}, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

let ajvInstance: Ajv | undefined;
/** The one ajv of the settings schema, also for parts of it validated alone (a journal upserted at run time). */
export function compileSettingSchema(schema: SettingSchema): ReturnType<Ajv['compile']> {
  if (!ajvInstance) {
    // Loaded by the first validation, not by importing the package (bench/root-import.ts).
    const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
    const addFormatsModule = require('ajv-formats') as unknown;
    const ajv = new AjvClass({ allErrors: true, strict: true });
    // ajv-formats is CommonJS; its default export may be wrapped once more.
    const addFormats = ((addFormatsModule as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => Ajv;
    addFormats(ajv);
    ajv.addKeyword({ keyword: 'x-env', schemaType: 'string' });
    ajvInstance = ajv;
  }
  return ajvInstance.compile(schema);
}

let validate: ReturnType<Ajv['compile']> | undefined;
/** Validate merged settings against the schema; one problem per setting, values of secrets never echoed. */
export function schemaProblems(value: Record<string, unknown>, leaves: SettingLeaf[], fromEnv: Set<string>): ConfigProblem[] {
  validate ??= compileSettingSchema(pluginManifest.settingsSchema);
  if (validate(value)) return [];
  const byPath = new Map(leaves.map((l) => [l.path, l]));
  const seen = new Set<string>();
  const out: ConfigProblem[] = [];
  for (const err of validate.errors ?? []) {
    const p = describeSchemaError(err, byPath, value, fromEnv);
    if (seen.has(p.setting)) continue; // one problem per setting is enough (pattern + minLength etc.)
    seen.add(p.setting);
    out.push(p);
  }
  return out;
}

/** `journals[0].issn` for the keys `journals`, `0`, `issn`. */
export function settingPath(keys: string[]): string {
  return keys.map((k, i) => (/^\d+$/.test(k) ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

/** The schema of the value at `keys` (through `properties` and array `items`), if the schema has one. */
export function schemaAt(schema: SettingSchema, keys: string[]): SettingSchema | undefined {
  let node: SettingSchema | undefined = schema;
  for (const k of keys) node = /^\d+$/.test(k) ? node?.items : node?.properties?.[k];
  return node;
}

/** One ajv error as a problem naming the setting's path; `root` is the schema `value` was validated against. */
export function describeSchemaError(err: ErrorObject, byPath: Map<string, SettingLeaf>, value: unknown, fromEnv: Set<string>, root: SettingSchema = pluginManifest.settingsSchema, prefix: string[] = []): ConfigProblem {
  const keys = err.instancePath.split('/').slice(1);
  if (err.keyword === 'additionalProperties') {
    const extra = String((err.params as { additionalProperty: string }).additionalProperty);
    return { setting: settingPath([...prefix, ...keys, extra]), problem: 'is not a known setting (check the spelling against plugin-manifest.json)' };
  }
  // An item of a list of values is named by its position in the problem; an item that is a record (a journal) by its path.
  const at = getPath(value, keys);
  const isRecord = at !== null && typeof at === 'object' && !Array.isArray(at);
  const arrayItem = keys.length > 0 && /^\d+$/.test(keys[keys.length - 1]) && !isRecord ? keys.pop() : undefined;
  const path = settingPath([...prefix, ...keys]);
  const leaf = byPath.get(path);
  const node = leaf?.schema ?? schemaAt(root, keys);
  const got = getPath(value, arrayItem === undefined ? keys : [...keys, arrayItem]);
  // A record (a credentials entry) may hold secrets: only plain values are echoed.
  const shown = node?.writeOnly || (got !== null && typeof got === 'object' && !Array.isArray(got)) ? '' : `, got ${JSON.stringify(got)}`;
  const example = node?.examples?.[0];
  let problem: string;
  if (err.keyword === 'pattern' && example !== undefined) problem = `must look like ${String(example)}${shown}`;
  else if (err.keyword === 'enum') problem = `must be one of ${(err.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}${shown}`;
  else if (err.keyword === 'minLength' && (err.params as { limit: number }).limit === 1) problem = 'must not be empty';
  else problem = `${err.message ?? 'is invalid'}${shown}`;
  if (arrayItem !== undefined) problem = `item ${arrayItem} ${problem}`;
  if (fromEnv.has(path) && leaf?.env) problem += ` (from environment variable ${leaf.env})`;
  return { setting: path, problem };
}
